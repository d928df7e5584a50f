/**
 * trio-jsonrpc's server loop, written the seed's way over the memory pair: iterate requests$,
 * dispatch on request.method, reply by hand, and notify.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  InvalidParamsError,
  MethodNotFoundError,
  type JsonRpcCall,
} from '../../lib/index.js';
import { collect } from '../helpers/pair.js';

async function greet(name: string): Promise<{ greeting: string }> {
  return { greeting: `Hello, ${name}!` };
}

async function answer(connection: JsonRpcConnection, request: JsonRpcCall): Promise<void> {
  if (request.method !== 'greet') {
    return connection.replyWithError(request, new MethodNotFoundError());
  }
  const params = request.params;
  if (!Array.isArray(params) || params.length !== 1 || typeof params[0] !== 'string') {
    return connection.replyWithError(request, new InvalidParamsError('Expected [name]'));
  }
  const result = await greet(params[0]);
  await connection.replyWithResult(request, result);
  await connection.notify('greeted', [result.greeting]);
}

function runServer(connection: JsonRpcConnection): Promise<void> {
  return new Promise((resolve) => {
    connection.requests$.subscribe({
      next: (request: JsonRpcCall) => {
        answer(connection, request).catch((error: unknown) => console.error(error));
      },
      complete: resolve,
    });
  });
}

describe('the seed server loop over the memory pair', () => {
  it('answers greet, rejects other methods with MethodNotFoundError, notifies, and ends on close', async () => {
    const [clientSide, serverSide] = createMemoryTransportPair();
    const server = new JsonRpcConnection(serverSide, JsonRpcConnectionType.SERVER);
    const client = new JsonRpcConnection(clientSide, JsonRpcConnectionType.CLIENT);
    expect([server.isServer, client.isClient]).to.deep.equal([true, true]);
    const serverDone = runServer(server);
    const notes = collect(client.notifications$, 2);

    expect(await client.request('greet', ['Bob'])).to.deep.equal({ greeting: 'Hello, Bob!' });
    expect(await client.request('greet', ['Alice'])).to.deep.equal({ greeting: 'Hello, Alice!' });
    const error = await client.request('shout', ['Bob']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MethodNotFoundError);
    const invalid = await client.request('greet', { name: 'Bob' }).catch((e: unknown) => e);
    expect(invalid).to.be.instanceOf(InvalidParamsError);
    expect((await notes).map((n) => n.params)).to.deep.equal([['Hello, Bob!'], ['Hello, Alice!']]);

    await client.close();
    await serverDone;
    expect(server.closed).to.equal(true);
  });
});
