import { expect } from 'chai';
import {
  decodeFrame,
  encodeCall,
  encodeError,
  encodeResult,
  joinBatch,
  toFrame,
} from '../../lib/index.js';

/** Calls `encode` and returns what it threw; fails when it returned. */
function thrownBy(encode: () => string): unknown {
  let text: string;
  try {
    text = encode();
  } catch (error) {
    return error;
  }
  throw new Error(`Expected a throw, got ${text}`);
}

function expectEncodingError(error: unknown, causeMessage: RegExp): void {
  expect(error).to.be.instanceOf(TypeError);
  expect((error as TypeError).message).to.equal('Value cannot be encoded as JSON');
  const { cause } = error as TypeError;
  expect(cause).to.be.instanceOf(TypeError);
  expect((cause as TypeError).message).to.match(causeMessage);
}

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

describe('encoding', () => {
  describe('encodeCall()', () => {
    it('encodes a request with positional params', () => {
      expect(encodeCall('subtract', [42, 23], 1)).to.equal(
        '{"jsonrpc":"2.0","id":1,"method":"subtract","params":[42,23]}',
      );
    });

    it('encodes a request with named params', () => {
      expect(encodeCall('subtract', { subtrahend: 23, minuend: 42 }, 3)).to.equal(
        '{"jsonrpc":"2.0","id":3,"method":"subtract","params":{"subtrahend":23,"minuend":42}}',
      );
    });

    it('encodes a request without params, with a string id', () => {
      expect(encodeCall('ping', undefined, 'a-1')).to.equal(
        '{"jsonrpc":"2.0","id":"a-1","method":"ping"}',
      );
    });

    it('encodes the ids 0, "0", -5 and null as themselves', () => {
      expect(encodeCall('m', [], 0)).to.equal('{"jsonrpc":"2.0","id":0,"method":"m","params":[]}');
      expect(encodeCall('m', [], '0')).to.equal(
        '{"jsonrpc":"2.0","id":"0","method":"m","params":[]}',
      );
      expect(encodeCall('m', [], -5)).to.equal(
        '{"jsonrpc":"2.0","id":-5,"method":"m","params":[]}',
      );
      expect(encodeCall('m', undefined, null)).to.equal('{"jsonrpc":"2.0","id":null,"method":"m"}');
    });

    it('encodes a notification (no id member) with and without params', () => {
      expect(encodeCall('update', [1, 2, 3, 4, 5], undefined)).to.equal(
        '{"jsonrpc":"2.0","method":"update","params":[1,2,3,4,5]}',
      );
      expect(encodeCall('foobar', undefined, undefined)).to.equal(
        '{"jsonrpc":"2.0","method":"foobar"}',
      );
    });

    it('escapes the method and a string id as JSON strings', () => {
      expect(encodeCall('a"b\\c\n\u00e9', undefined, 'x"y')).to.equal(
        '{"jsonrpc":"2.0","id":"x\\"y","method":"a\\"b\\\\c\\n\u00e9"}',
      );
    });

    it('gives back the same call when decoded', () => {
      const text = encodeCall('sum', { values: [1, 2, 4], label: 'tot"al' }, 'id"1');
      expect(decodeFrame(text)).to.deep.equal({
        batch: false,
        messages: [
          {
            jsonrpc: '2.0',
            id: 'id"1',
            method: 'sum',
            params: { values: [1, 2, 4], label: 'tot"al' },
          },
        ],
        errors: [],
      });
    });

    it('throws a TypeError with the JSON error as cause for a BigInt or a cycle in params', () => {
      expectEncodingError(
        thrownBy(() => encodeCall('m', [1n], 1)),
        /BigInt/,
      );
      expectEncodingError(
        thrownBy(() => encodeCall('m', { value: cyclic() }, undefined)),
        /circular/i,
      );
    });
  });

  describe('encodeResult()', () => {
    it('encodes a result', () => {
      expect(encodeResult(1, 19)).to.equal('{"jsonrpc":"2.0","id":1,"result":19}');
      expect(encodeResult('9', ['hello', 5])).to.equal(
        '{"jsonrpc":"2.0","id":"9","result":["hello",5]}',
      );
      expect(encodeResult(null, { a: { b: [true, null] } })).to.equal(
        '{"jsonrpc":"2.0","id":null,"result":{"a":{"b":[true,null]}}}',
      );
      expect(encodeResult(0, 'x')).to.equal('{"jsonrpc":"2.0","id":0,"result":"x"}');
      expect(encodeResult('0', false)).to.equal('{"jsonrpc":"2.0","id":"0","result":false}');
    });

    it('sends an undefined result as null', () => {
      expect(encodeResult(1, undefined)).to.equal('{"jsonrpc":"2.0","id":1,"result":null}');
    });

    it('sends a result JSON drops (a function, a symbol) as null', () => {
      expect(encodeResult(2, () => 1)).to.equal('{"jsonrpc":"2.0","id":2,"result":null}');
      expect(encodeResult(3, Symbol('s'))).to.equal('{"jsonrpc":"2.0","id":3,"result":null}');
    });

    it('uses toJSON, as JSON.stringify does', () => {
      expect(encodeResult(1, new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)))).to.equal(
        '{"jsonrpc":"2.0","id":1,"result":"2020-01-02T03:04:05.006Z"}',
      );
    });

    it('throws a TypeError with the JSON error as cause for a BigInt or a cyclic object', () => {
      expectEncodingError(
        thrownBy(() => encodeResult(1, 10n)),
        /BigInt/,
      );
      expectEncodingError(
        thrownBy(() => encodeResult(1, { nested: [cyclic()] })),
        /circular/i,
      );
    });
  });

  describe('encodeError()', () => {
    it('encodes an error without data', () => {
      expect(encodeError('1', { code: -32601, message: 'Method not found' })).to.equal(
        '{"jsonrpc":"2.0","id":"1","error":{"code":-32601,"message":"Method not found"}}',
      );
      expect(encodeError(null, { code: -32700, message: 'Parse error' })).to.equal(
        '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
      );
    });

    it('omits data when it is undefined', () => {
      expect(encodeError(5, { code: -32000, message: 'm', data: undefined })).to.equal(
        '{"jsonrpc":"2.0","id":5,"error":{"code":-32000,"message":"m"}}',
      );
    });

    it('includes data whenever it is defined, falsy values included', () => {
      expect(encodeError(1, { code: 1, message: 'm', data: { maxBatchSize: 3 } })).to.equal(
        '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":{"maxBatchSize":3}}}',
      );
      expect(encodeError(1, { code: 1, message: 'm', data: null })).to.equal(
        '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":null}}',
      );
      expect(encodeError(1, { code: 1, message: 'm', data: 0 })).to.equal(
        '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":0}}',
      );
      expect(encodeError(1, { code: 1, message: 'm', data: false })).to.equal(
        '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":false}}',
      );
      expect(encodeError(1, { code: 1, message: 'm', data: '' })).to.equal(
        '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":""}}',
      );
    });

    it('escapes the message as a JSON string', () => {
      expect(encodeError(1, { code: 2, message: 'say "hi"\n' })).to.equal(
        '{"jsonrpc":"2.0","id":1,"error":{"code":2,"message":"say \\"hi\\"\\n"}}',
      );
    });

    it('throws a TypeError with the JSON error as cause for a BigInt or a cycle in data', () => {
      expectEncodingError(
        thrownBy(() => encodeError(1, { code: 1, message: 'm', data: 1n })),
        /BigInt/,
      );
      expectEncodingError(
        thrownBy(() => encodeError(1, { code: 1, message: 'm', data: cyclic() })),
        /circular/i,
      );
    });
  });

  describe('joinBatch() and toFrame()', () => {
    it('joins encoded messages into one JSON array', () => {
      const texts = [encodeResult(1, 7), encodeError(null, { code: -32600, message: 'x' })];
      expect(joinBatch(texts)).to.equal(
        '[{"jsonrpc":"2.0","id":1,"result":7},{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"x"}}]',
      );
      expect(joinBatch([])).to.equal('[]');
    });

    it('encodes text as UTF-8 bytes', () => {
      expect([...toFrame('"\u00e9\u20ac"')]).to.deep.equal([
        0x22, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x22,
      ]);
    });
  });
});
