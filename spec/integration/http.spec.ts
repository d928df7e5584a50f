/**
 * connectHttp against serveHttp, and against json-rpc-2.0's JSONRPCServer on node:http:
 * batching and cancellation counted on the server side.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { JSONRPCServer } from 'json-rpc-2.0';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  connectHttp,
  MethodNotFoundError,
  RequestCancelledError,
  serveHttp,
  type HttpServerHandle,
  type JsonRpcConnection,
} from '../../lib/node.js';
import { until } from '../helpers/relink.js';

describe('connectHttp against serveHttp', () => {
  let server: HttpServerHandle;
  /** Calls per POST, in the order the POSTs arrived. */
  const posts: number[] = [];
  let aborted = 0;
  const clients: JsonRpcConnection[] = [];

  before(async () => {
    server = await serveHttp((connection) => {
      let calls = 0;
      posts.push(0);
      const index = posts.length - 1;
      connection.requests$.subscribe(() => (posts[index] = ++calls));
      connection.serve({
        echo: (params) => params,
        slow: (_params, context) =>
          new Promise((resolve) =>
            context.signal.addEventListener('abort', () => resolve((aborted += 1))),
          ),
      });
    });
  });
  beforeEach(() => {
    posts.length = 0;
    aborted = 0;
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });
  after(() => server.close());

  function connect(options?: Parameters<typeof connectHttp>[1]): JsonRpcConnection {
    const client = connectHttp(server.url, options);
    clients.push(client);
    return client;
  }

  it('50 calls made in one tick arrive as one POST, each answered on its own', async () => {
    const client = connect();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.request('echo', [i])),
    );
    expect(results).to.deep.equal(Array.from({ length: 50 }, (_, i) => [i]));
    expect(posts).to.deep.equal([50]);
  });

  it('with maxSize 20, the same 50 arrive as three POSTs', async () => {
    const client = connect({ batch: { maxSize: 20 } });
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.request('echo', [i])));
    expect([...posts].sort((a, b) => b - a)).to.deep.equal([20, 20, 10]);
  });

  it("aborting the client's only call aborts the slow handler's signal on the server", async () => {
    const client = connect();
    const controller = new AbortController();
    const call = client.request('slow', [], { signal: controller.signal });
    await until(() => posts.length === 1 && posts[0] === 1, 'the call to reach the server');
    controller.abort();
    expect(await call.catch((error: unknown) => error)).to.be.instanceOf(RequestCancelledError);
    await until(() => aborted === 1, "the handler's signal to abort");
  });

  it('a timeout of the only call in flight reaches the server the same way', async () => {
    const client = connect();
    const call = client.request('slow', [], { timeout: 100 }).catch((error: Error) => error.name);
    expect(await call).to.equal('RequestTimeoutError');
    await until(() => aborted === 1, "the handler's signal to abort");
  });

  it('observe$ errors at once, naming WebSocket, and sends nothing', async () => {
    const client = connect();
    const error = await new Promise<Error>((resolve) =>
      client.observe$('metrics').subscribe({ error: resolve }),
    );
    expect(error.message).to.match(/WebSocket/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(posts).to.deep.equal([]);
  });
});

describe('connectHttp against a json-rpc-2.0 JSONRPCServer on node:http', () => {
  let http: Server;
  let url: string;
  let client: JsonRpcConnection;

  before(async () => {
    const rpc = new JSONRPCServer();
    rpc.addMethod('add', ([a, b]: [number, number]) => a + b);
    http = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void rpc.receiveJSON(Buffer.concat(chunks).toString()).then((answer) => {
          if (answer === null) return void response.writeHead(204).end();
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(answer));
        });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  });
  afterEach(() => client?.close());
  after(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );

  it('requests, batched or not, and gets its errors as our classes', async () => {
    for (const batch of [undefined, false as const]) {
      client = connectHttp(url, { batch });
      const [sum, other, missing] = await Promise.all([
        client.request('add', [1, 2]),
        client.request('add', [3, 4]),
        client.request('nope').catch((error: unknown) => error),
      ]);
      expect([sum, other]).to.deep.equal([3, 7]);
      expect(missing).to.be.instanceOf(MethodNotFoundError);
      await client.notify('add', [1, 1]);
      await client.close();
    }
  });
});
