/**
 * The examples of the JSON-RPC 2.0 specification, section 7
 * (https://www.jsonrpc.org/specification#examples), sent verbatim as text.
 */
import { expect } from 'chai';
import { InvalidParamsError, type JsonRpcConnection, type JsonRpcParams } from '../../lib/index.js';

/** A raw wire to a connection under test: send JSON text, read parsed frames back. */
export interface Wire {
  send(text: string): void;
  /** The next `count` frames, parsed; fails when they do not come. */
  read(count: number): Promise<unknown[]>;
  /** Waits long enough for any answer to arrive; returns the frames not yet read. */
  drain(): Promise<unknown[]>;
  close(): Promise<void>;
}

const PARSE_ERROR = {
  jsonrpc: '2.0',
  error: { code: -32700, message: 'Parse error' },
  id: null,
};

const INVALID_REQUEST = {
  jsonrpc: '2.0',
  error: { code: -32600, message: 'Invalid Request' },
  id: null,
};

function numbers(params: JsonRpcParams | undefined): number[] {
  if (!Array.isArray(params) || !params.every((value) => typeof value === 'number')) {
    throw new InvalidParamsError();
  }
  return params;
}

function subtract(params: JsonRpcParams | undefined): number {
  if (Array.isArray(params)) {
    const [minuend, subtrahend] = numbers(params);
    if (minuend === undefined || subtrahend === undefined) throw new InvalidParamsError();
    return minuend - subtrahend;
  }
  const named = params as { minuend?: unknown; subtrahend?: unknown } | undefined;
  if (typeof named?.minuend !== 'number' || typeof named.subtrahend !== 'number') {
    throw new InvalidParamsError();
  }
  return named.minuend - named.subtrahend;
}

/**
 * Defines the examples as specs against the connection that `open` builds: it must call
 * `serve` with the connection under test, and return a raw wire to it.
 */
export function specExamples(
  open: (serve: (connection: JsonRpcConnection) => void) => Promise<Wire>,
): void {
  let peer: Wire;
  /** Notifications the server ran, in order. */
  let notified: [method: string, params: JsonRpcParams | undefined][];

  beforeEach(async () => {
    notified = [];
    peer = await open((connection) =>
      connection.serve({
        subtract,
        sum: (params) => numbers(params).reduce((total, value) => total + value, 0),
        update: (params) => void notified.push(['update', params]),
        notify_hello: (params) => void notified.push(['notify_hello', params]),
        get_data: () => ['hello', 5],
      }),
    );
  });

  afterEach(async () => {
    await peer.close();
  });

  /** Sends `text` and returns the one frame answered; fails on more or fewer. */
  async function exchange(text: string): Promise<unknown> {
    peer.send(text);
    const [answer] = await peer.read(1);
    expect(await peer.drain()).to.deep.equal([]);
    return answer;
  }

  /** Sends `text` and checks that nothing at all is answered. */
  async function noAnswer(text: string): Promise<void> {
    peer.send(text);
    expect(await peer.drain()).to.deep.equal([]);
  }

  it('rpc call with positional parameters', async () => {
    expect(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}'),
    ).to.deep.equal({ jsonrpc: '2.0', result: 19, id: 1 });
    expect(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}'),
    ).to.deep.equal({ jsonrpc: '2.0', result: -19, id: 2 });
  });

  it('rpc call with named parameters', async () => {
    expect(
      await exchange(
        '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
      ),
    ).to.deep.equal({ jsonrpc: '2.0', result: 19, id: 3 });
    expect(
      await exchange(
        '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
      ),
    ).to.deep.equal({ jsonrpc: '2.0', result: 19, id: 4 });
  });

  it('a Notification', async () => {
    await noAnswer('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}');
    await noAnswer('{"jsonrpc": "2.0", "method": "foobar"}');
    expect(notified).to.deep.equal([['update', [1, 2, 3, 4, 5]]]);
  });

  it('rpc call of non-existent method', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')).to.deep.equal({
      jsonrpc: '2.0',
      error: { code: -32601, message: 'Method not found' },
      id: '1',
    });
  });

  it('rpc call with invalid JSON', async () => {
    expect(
      await exchange('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]'),
    ).to.deep.equal(PARSE_ERROR);
  });

  it('rpc call with invalid Request object', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')).to.deep.equal(
      INVALID_REQUEST,
    );
  });

  it('rpc call Batch, invalid JSON', async () => {
    const frame = [
      '[',
      '  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},',
      '  {"jsonrpc": "2.0", "method"',
      ']',
    ].join('\n');
    expect(await exchange(frame)).to.deep.equal(PARSE_ERROR);
  });

  it('rpc call with an empty Array', async () => {
    expect(await exchange('[]')).to.deep.equal(INVALID_REQUEST);
  });

  it('rpc call with an invalid Batch (but not empty)', async () => {
    expect(await exchange('[1]')).to.deep.equal([INVALID_REQUEST]);
  });

  it('rpc call with invalid Batch', async () => {
    expect(await exchange('[1,2,3]')).to.deep.equal([
      INVALID_REQUEST,
      INVALID_REQUEST,
      INVALID_REQUEST,
    ]);
  });

  it('rpc call Batch', async () => {
    const frame = [
      '[',
      '        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},',
      '        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},',
      '        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},',
      '        {"foo": "boo"},',
      '        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},',
      '        {"jsonrpc": "2.0", "method": "get_data", "id": "9"} ',
      '    ]',
    ].join('\n');
    const answers = await exchange(frame);
    // The order of a batch's answers is free (spec section 6): compare as a set.
    expect(answers).to.be.an('array').with.lengthOf(5);
    expect(answers).to.have.deep.members([
      { jsonrpc: '2.0', result: 7, id: '1' },
      { jsonrpc: '2.0', result: 19, id: '2' },
      INVALID_REQUEST,
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
      { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    ]);
    expect(notified).to.deep.equal([['notify_hello', [7]]]);
  });

  it('rpc call Batch (all notifications)', async () => {
    const frame = [
      '[',
      '        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},',
      '        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}',
      '    ]',
    ].join('\n');
    await noAnswer(frame);
    expect(notified).to.deep.equal([['notify_hello', [7]]]);
  });
}
