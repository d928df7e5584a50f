import { expect } from 'chai';
import {
  ConnectionClosedError,
  InternalError,
  InvalidParamsError,
  InvalidRequestError,
  JsonRpcError,
  JsonRpcErrorCode,
  MethodNotFoundError,
  ParseError,
  RequestCancelledError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
} from '../../lib/index.js';

type Subclass = new (message?: string, data?: unknown) => JsonRpcError;

const standard: [code: number, Subclass, name: string, defaultMessage: string][] = [
  [-32700, ParseError, 'ParseError', 'Parse error'],
  [-32600, InvalidRequestError, 'InvalidRequestError', 'Invalid Request'],
  [-32601, MethodNotFoundError, 'MethodNotFoundError', 'Method not found'],
  [-32602, InvalidParamsError, 'InvalidParamsError', 'Invalid params'],
  [-32603, InternalError, 'InternalError', 'Internal error'],
  [-32800, RequestCancelledError, 'RequestCancelledError', 'Request cancelled'],
];

describe('errors', () => {
  it('JsonRpcErrorCode holds the standard codes', () => {
    expect(JsonRpcErrorCode).to.deep.equal({
      ParseError: -32700,
      InvalidRequest: -32600,
      MethodNotFound: -32601,
      InvalidParams: -32602,
      InternalError: -32603,
      RequestCancelled: -32800,
    });
  });

  describe('JsonRpcError.from()', () => {
    for (const [code, Class, name] of standard) {
      it(`rebuilds ${code} into ${name}, keeping message and data`, () => {
        const error = JsonRpcError.from({ code, message: 'as received', data: { why: [1] } });
        expect(error).to.be.instanceOf(Class);
        expect(error).to.be.instanceOf(JsonRpcError);
        expect(error).to.be.instanceOf(Error);
        expect(error.constructor).to.equal(Class);
        expect(error.name).to.equal(name);
        expect(error.code).to.equal(code);
        expect(error.message).to.equal('as received');
        expect(error.data).to.deep.equal({ why: [1] });
        expect(error.toJSON()).to.deep.equal({ code, message: 'as received', data: { why: [1] } });
      });

      it(`rebuilds ${code} without data into ${name} without data`, () => {
        const error = JsonRpcError.from({ code, message: 'plain' });
        expect(error).to.be.instanceOf(Class);
        expect(error.data).to.equal(undefined);
        expect(error.toJSON()).to.deep.equal({ code, message: 'plain' });
      });
    }

    for (const code of [-32000, -32099, -32604, -32701, 0, 1, 42]) {
      it(`gives a plain JsonRpcError for the code ${code}`, () => {
        const error = JsonRpcError.from({ code, message: 'custom', data: 'd' });
        expect(error.constructor).to.equal(JsonRpcError);
        expect(error.name).to.equal('JsonRpcError');
        expect(error.code).to.equal(code);
        expect(error.message).to.equal('custom');
        expect(error.data).to.equal('d');
        for (const [, Class] of standard) expect(error).to.not.be.instanceOf(Class);
      });
    }
  });

  describe('the standard subclasses', () => {
    for (const [code, Class, name, defaultMessage] of standard) {
      it(`${name} defaults to ${code} "${defaultMessage}"`, () => {
        const error = new Class();
        expect(error.name).to.equal(name);
        expect(error.code).to.equal(code);
        expect(error.message).to.equal(defaultMessage);
        expect(error.data).to.equal(undefined);
        expect(JSON.stringify(error)).to.equal(
          `{"code":${code},"message":${JSON.stringify(defaultMessage)}}`,
        );
      });
    }
  });

  describe('new JsonRpcError()', () => {
    it('keeps code, message, data and cause', () => {
      const cause = new Error('inner');
      const error = new JsonRpcError(-32001, 'Unauthorized', { realm: 'admin' }, { cause });
      expect(error.name).to.equal('JsonRpcError');
      expect(error.code).to.equal(-32001);
      expect(error.message).to.equal('Unauthorized');
      expect(error.data).to.deep.equal({ realm: 'admin' });
      expect(error.cause).to.equal(cause);
    });

    const nonIntegers: [number, string][] = [
      [1.5, 'JsonRpcError code must be an integer, got 1.5'],
      [NaN, 'JsonRpcError code must be an integer, got NaN'],
      [Infinity, 'JsonRpcError code must be an integer, got Infinity'],
      ['-32600' as unknown as number, 'JsonRpcError code must be an integer, got -32600'],
    ];
    for (const [code, message] of nonIntegers) {
      it(`throws a TypeError for the code ${JSON.stringify(code) ?? String(code)}`, () => {
        expect(() => new JsonRpcError(code, 'm')).to.throw(TypeError, message);
        let thrown: unknown;
        try {
          new JsonRpcError(code, 'm');
        } catch (error) {
          thrown = error;
        }
        expect((thrown as TypeError).message).to.equal(message);
      });
    }

    it('throws a TypeError for a message that is not a string', () => {
      expect(() => new JsonRpcError(1, 5 as unknown as string)).to.throw(
        TypeError,
        'JsonRpcError message must be a string, got number',
      );
    });

    it('toJSON() omits undefined data and keeps any defined data', () => {
      const bare = new JsonRpcError(7, 'seven').toJSON();
      expect(bare).to.deep.equal({ code: 7, message: 'seven' });
      expect(Object.keys(bare)).to.deep.equal(['code', 'message']);
      expect(new JsonRpcError(7, 'seven', undefined).toJSON()).to.deep.equal({
        code: 7,
        message: 'seven',
      });
      expect(new JsonRpcError(7, 'seven', null).toJSON()).to.deep.equal({
        code: 7,
        message: 'seven',
        data: null,
      });
      expect(new JsonRpcError(7, 'seven', 0).toJSON()).to.deep.equal({
        code: 7,
        message: 'seven',
        data: 0,
      });
      expect(JSON.stringify(new JsonRpcError(7, 'seven', [false]))).to.equal(
        '{"code":7,"message":"seven","data":[false]}',
      );
    });
  });

  describe('local errors', () => {
    it('RequestTimeoutError names the method and the timeout', () => {
      const error = new RequestTimeoutError('sum', 250);
      expect(error).to.be.instanceOf(Error);
      expect(error).to.not.be.instanceOf(JsonRpcError);
      expect(error.name).to.equal('RequestTimeoutError');
      expect(error.method).to.equal('sum');
      expect(error.timeoutMs).to.equal(250);
      expect(error.message).to.equal("Request 'sum' timed out after 250 ms");
    });

    it('ConnectionClosedError has a default message and keeps a cause', () => {
      const error = new ConnectionClosedError();
      expect(error).to.be.instanceOf(Error);
      expect(error).to.not.be.instanceOf(JsonRpcError);
      expect(error.name).to.equal('ConnectionClosedError');
      expect(error.message).to.equal('Connection closed');
      expect(error.cause).to.equal(undefined);
      const cause = new Error('socket reset');
      const byPeer = new ConnectionClosedError('Connection closed by the peer', { cause });
      expect(byPeer.message).to.equal('Connection closed by the peer');
      expect(byPeer.cause).to.equal(cause);
    });

    it('TooManyPendingRequestsError names the limit', () => {
      const error = new TooManyPendingRequestsError(3);
      expect(error).to.be.instanceOf(Error);
      expect(error).to.not.be.instanceOf(JsonRpcError);
      expect(error.name).to.equal('TooManyPendingRequestsError');
      expect(error.limit).to.equal(3);
      expect(error.message).to.equal(
        'Too many pending requests: the limit is 3 (option maxPendingRequests)',
      );
    });
  });
});
