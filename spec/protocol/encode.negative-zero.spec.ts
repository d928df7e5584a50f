/**
 * The id -0 (JSON allows `-0`): answered as `-0`, as every other id is answered as itself.
 * Equal to 0 by `===`, so 0 and -0 in flight at once are a reused id, like 7 and 7.
 */
import { expect } from 'chai';
import {
  createMemoryTransportPair,
  encodeCall,
  encodeError,
  encodeResult,
  JsonRpcConnection,
  JsonRpcConnectionType,
} from '../../lib/index.js';
import { settle } from '../helpers/pair.js';

/** A served connection and the raw wire end, which keeps the text of what it is sent. */
function servedWire(): {
  send: (text: string) => void;
  texts: string[];
  connection: JsonRpcConnection;
  release: () => void;
} {
  const [wire, mine] = createMemoryTransportPair();
  const connection = new JsonRpcConnection(mine, JsonRpcConnectionType.SERVER);
  const texts: string[] = [];
  const decoder = new TextDecoder();
  wire.subscribe({
    next: (frame) => texts.push(typeof frame === 'string' ? frame : decoder.decode(frame)),
  });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  connection.serve({
    echo: (params) => params,
    held: async (params) => {
      await released;
      return params;
    },
  });
  const encoder = new TextEncoder();
  return { send: (text) => wire.next(encoder.encode(text)), texts, connection, release };
}

describe('the id -0', () => {
  it('is encoded as -0, and 0 as 0', () => {
    expect(encodeResult(-0, 1)).to.equal('{"jsonrpc":"2.0","id":-0,"result":1}');
    expect(encodeError(-0, { code: -32601, message: 'Method not found' })).to.equal(
      '{"jsonrpc":"2.0","id":-0,"error":{"code":-32601,"message":"Method not found"}}',
    );
    expect(encodeCall('m', undefined, -0)).to.equal('{"jsonrpc":"2.0","id":-0,"method":"m"}');
    expect(encodeResult(0, 1)).to.equal('{"jsonrpc":"2.0","id":0,"result":1}');
    const { id } = JSON.parse(encodeResult(-0, 1)) as { id: unknown };
    expect(Object.is(id, -0)).to.equal(true);
  });

  it('is answered as -0: a result, an error, in a batch', async () => {
    const { send, texts, connection } = servedWire();
    send('{"jsonrpc":"2.0","id":-0,"method":"echo","params":["a"]}');
    send('{"jsonrpc":"2.0","id":-0,"method":"nope"}');
    send('[{"jsonrpc":"2.0","id":-0,"method":"echo","params":["b"]}]');
    await settle();
    expect(texts).to.deep.equal([
      '{"jsonrpc":"2.0","id":-0,"result":["a"]}',
      '{"jsonrpc":"2.0","id":-0,"error":{"code":-32601,"message":"Method not found"}}',
      '[{"jsonrpc":"2.0","id":-0,"result":["b"]}]',
    ]);
    await connection.close();
  });

  it('and 0 in flight at once are a reused id: each is answered once, with its own id', async () => {
    const { send, texts, connection, release } = servedWire();
    send('{"jsonrpc":"2.0","id":0,"method":"held","params":["zero"]}');
    send('{"jsonrpc":"2.0","id":-0,"method":"held","params":["minus zero"]}');
    await settle();
    expect(texts).to.deep.equal([]);
    release();
    await settle();
    expect([...texts].sort()).to.deep.equal([
      '{"jsonrpc":"2.0","id":-0,"result":["minus zero"]}',
      '{"jsonrpc":"2.0","id":0,"result":["zero"]}',
    ]);
    await connection.close();
    expect(texts).to.have.length(2);
  });

  it('is named by a cancel as 0 is: the latest request of either is cancelled', async () => {
    const { send, texts, connection, release } = servedWire();
    send('{"jsonrpc":"2.0","id":0,"method":"held","params":["zero"]}');
    send('{"jsonrpc":"2.0","id":-0,"method":"held","params":["minus zero"]}');
    send('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":0}}');
    await settle();
    release();
    await settle();
    expect(texts).to.deep.equal([
      '{"jsonrpc":"2.0","id":-0,"error":{"code":-32800,"message":"Request cancelled"}}',
      '{"jsonrpc":"2.0","id":0,"result":["zero"]}',
    ]);
    await connection.close();
  });
});
