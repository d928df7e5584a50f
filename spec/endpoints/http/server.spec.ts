import { expect } from 'chai';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHttpHandler,
  DEFAULT_MAX_BODY_BYTES,
  serveHttp,
  type HttpHandlerOptions,
  type HttpServerHandle,
  type JsonRpcConnection,
  type JsonRpcHandlers,
} from '../../../lib/node.js';
import { http, postJson } from '../../helpers/http.js';
import { until } from '../../helpers/relink.js';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const methods: JsonRpcHandlers = {
  add: (params) => (params as number[]).reduce((a, b) => a + b, 0),
  echo: (params) => params,
};

describe('createHttpHandler() and serveHttp()', () => {
  const opened: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
  });

  /** A server whose POSTs are served `table`; records each connection. */
  async function start(
    options: HttpHandlerOptions = {},
    table: JsonRpcHandlers = methods,
  ): Promise<HttpServerHandle & { connections: JsonRpcConnection[] }> {
    const connections: JsonRpcConnection[] = [];
    const server = await serveHttp((connection) => {
      connections.push(connection);
      connection.serve(table);
    }, options);
    opened.push(server);
    return Object.assign(server, { connections });
  }

  describe('answers', () => {
    it('a request: 200, application/json, its answer; the connection then closes', async () => {
      const server = await start();
      const response = await http(server.url, {
        body: '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":7}',
      });
      expect(response.status).to.equal(200);
      expect(response.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(response.text)).to.deep.equal({ jsonrpc: '2.0', id: 7, result: 3 });
      await until(() => server.connections[0]!.closed, 'the connection to close');
    });

    it('every JSON-RPC error is a 200: unknown method, invalid request, empty and non-JSON bodies', async () => {
      const server = await start();
      const unknown = await postJson(server.url, { jsonrpc: '2.0', method: 'nope', id: 1 });
      expect(unknown).to.include({ status: 200 });
      expect(unknown.json).to.deep.include({
        id: 1,
        error: { code: -32601, message: 'Method not found' },
      });
      const invalid = await postJson(server.url, { jsonrpc: '2.0', method: 1, id: 2 });
      expect((invalid.json as { error: { code: number } }).error.code).to.equal(-32600);
      for (const body of ['', '{"jsonrpc":"2.0",', 'hello']) {
        const response = await http(server.url, { body });
        expect(response.status, JSON.stringify(body)).to.equal(200);
        expect(JSON.parse(response.text)).to.deep.equal({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32700, message: 'Parse error' },
        });
      }
    });

    it('a batch: one JSON array; an empty batch: one error object', async () => {
      const server = await start();
      const batch = await postJson(server.url, [
        { jsonrpc: '2.0', method: 'add', params: [1, 1], id: 'a' },
        { jsonrpc: '2.0', method: 'echo', params: ['skip'] },
        { jsonrpc: '2.0', method: 'echo', params: ['b'], id: 'b' },
      ]);
      expect(batch.json).to.have.deep.members([
        { jsonrpc: '2.0', id: 'a', result: 2 },
        { jsonrpc: '2.0', id: 'b', result: ['b'] },
      ]);
      const empty = await postJson(server.url, []);
      expect(empty.json).to.deep.equal({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request' },
      });
    });

    it('notifications only: 204 with no body, once their handlers have settled', async () => {
      const events: string[] = [];
      const server = await start(
        {},
        {
          log: async (params) => {
            await delay(30);
            events.push(`handled ${String((params as string[])[0])}`);
          },
        },
      );
      const response = await http(server.url, {
        body: JSON.stringify([
          { jsonrpc: '2.0', method: 'log', params: ['a'] },
          { jsonrpc: '2.0', method: 'log', params: ['b'] },
        ]),
      });
      events.push('answered');
      expect(response.status).to.equal(204);
      expect(response.text).to.equal('');
      expect(events).to.deep.equal(['handled a', 'handled b', 'answered']);
      const single = await http(server.url, { body: '{"jsonrpc":"2.0","method":"nope"}' });
      expect(single.status).to.equal(204);
    });

    it('a body of responses only, or of failing notifications, is a 204', async () => {
      const errors: unknown[] = [];
      const server = await start(
        { connection: { onError: (error) => errors.push(error) } },
        {
          fail: () => {
            throw new Error('boom');
          },
        },
      );
      const responses = await http(server.url, {
        body: '[{"jsonrpc":"2.0","id":1,"result":1},{"jsonrpc":"2.0","id":2,"error":{"code":1,"message":"x"}}]',
      });
      expect(responses.status).to.equal(204);
      const failing = await http(server.url, { body: '{"jsonrpc":"2.0","method":"fail"}' });
      expect(failing.status).to.equal(204);
      expect(errors.map((error) => (error as Error).message)).to.deep.equal(['boom']);
    });

    it('keeps the HTTP connection alive across POSTs', async () => {
      const server = await start();
      const { Agent } = await import('node:http');
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set<unknown>();
      agent.on('free', (socket) => sockets.add(socket));
      for (let id = 1; id <= 3; id++) {
        const response = await http(server.url, {
          agent,
          body: JSON.stringify({ jsonrpc: '2.0', method: 'add', params: [id], id }),
        });
        expect(JSON.parse(response.text)).to.deep.include({ result: id });
      }
      expect(sockets.size).to.equal(1);
      agent.destroy();
    });
  });

  describe('HTTP rules', () => {
    it('POST only: other methods get 405 with Allow: POST, OPTIONS without Origin too', async () => {
      let connections = 0;
      const server = await serveHttp(() => void connections++);
      opened.push(server);
      for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
        const response = await http(server.url, { method });
        expect(response.status, method).to.equal(405);
        expect(response.headers.allow, method).to.equal('POST');
      }
      expect(connections).to.equal(0);
    });

    it('Content-Type must be application/json, parameters and case aside (else 415)', async () => {
      const server = await start();
      const body = '{"jsonrpc":"2.0","method":"add","params":[2],"id":1}';
      for (const type of ['text/plain', 'application/jsonx', 'application/x-www-form-urlencoded']) {
        const response = await http(server.url, { body, headers: { 'content-type': type } });
        expect(response.status, type).to.equal(415);
      }
      const untyped = await new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(server.url, { method: 'POST' }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        outgoing.on('error', reject);
        outgoing.end(body);
      });
      expect(untyped).to.equal(415);
      for (const type of [
        'Application/JSON',
        'application/json; charset=utf-8',
        ' application/json ;x=1',
      ]) {
        const response = await http(server.url, { body, headers: { 'content-type': type } });
        expect(response.status, type).to.equal(200);
      }
    });

    it('maxBodyBytes: a declared length over it is refused before reading, with the connection closed', async () => {
      expect(DEFAULT_MAX_BODY_BYTES).to.equal(5 * 1024 * 1024);
      const server = await start({ maxBodyBytes: 80 });
      const exact = JSON.stringify({
        jsonrpc: '2.0',
        method: 'echo',
        params: ['x'.repeat(16)],
        id: 1,
      });
      const padded = exact + ' '.repeat(80 - exact.length);
      expect((await http(server.url, { body: padded })).status).to.equal(200);
      // Headers only: the 413 comes without the body being sent at all.
      const response = await new Promise<{ status: number; connection: string | undefined }>(
        (resolve, reject) => {
          const outgoing = httpRequest(
            server.url,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'content-length': 1_000_000 },
            },
            (incoming) => {
              incoming.resume();
              resolve({
                status: incoming.statusCode ?? 0,
                connection: incoming.headers.connection,
              });
              outgoing.destroy();
            },
          );
          outgoing.on('error', reject);
          outgoing.flushHeaders();
        },
      );
      expect(response).to.deep.equal({ status: 413, connection: 'close' });
      expect(server.connections).to.have.length(1);
    });

    it('maxBodyBytes: a chunked body is counted as it arrives, and refused once past it', async () => {
      const server = await start({ maxBodyBytes: 1000 });
      const response = await http(server.url, {
        body: Array.from({ length: 20 }, () => 'x'.repeat(100)),
      });
      expect(response.status).to.equal(413);
      expect(response.text).to.equal('Content Too Large');
      await until(() => server.connections[0]?.closed === true, 'the connection to close');
    });

    it('a foreign Origin gets 403 whatever the method, before anything runs', async () => {
      let authenticated = 0;
      const server = await start({ authenticate: () => (authenticated++, true) });
      for (const method of ['POST', 'GET', 'OPTIONS']) {
        const response = await http(server.url, {
          method,
          headers: { origin: 'https://evil.example' },
          body: '{"jsonrpc":"2.0","method":"add","params":[1],"id":1}',
        });
        expect(response.status, method).to.equal(403);
        expect(response.headers['access-control-allow-origin'], method).to.equal(undefined);
      }
      expect(authenticated).to.equal(0);
      expect(server.connections).to.have.length(0);
      // By default the server's own origin may call.
      const own = await http(server.url, {
        headers: { origin: `http://127.0.0.1:${server.port}` },
        body: '{"jsonrpc":"2.0","method":"add","params":[1],"id":1}',
      });
      expect(own.status).to.equal(200);
    });

    it('an allowedOrigins predicate that throws refuses the origin (403)', async () => {
      const server = await start({
        allowedOrigins: () => {
          throw new Error('predicate bug');
        },
      });
      const response = await http(server.url, {
        headers: { origin: 'https://app.example' },
        body: '{"jsonrpc":"2.0","method":"add","params":[1],"id":1}',
      });
      expect(response.status).to.equal(403);
    });

    it('an allowed origin: preflight 204 with the CORS headers, and its POSTs readable', async () => {
      const origin = 'https://app.example';
      const server = await start({
        allowedOrigins: [origin],
        authenticate: (r) => r.headers.authorization === 'Bearer t',
      });
      const preflight = await http(server.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers).to.include({
        'access-control-allow-origin': origin,
        vary: 'Origin',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'authorization,content-type',
      });
      const post = await http(server.url, {
        headers: { origin, authorization: 'Bearer t' },
        body: '{"jsonrpc":"2.0","method":"add","params":[4],"id":1}',
      });
      expect(post.status).to.equal(200);
      expect(post.headers).to.include({ 'access-control-allow-origin': origin, vary: 'Origin' });
      const refused = await http(server.url, { headers: { origin }, body: '{}' });
      expect(refused.status).to.equal(401);
      expect(refused.headers['access-control-allow-origin']).to.equal(origin);
    });

    it('authenticate: false, a throw or a rejection answer 401; a promise of true lets it through', async () => {
      for (const authenticate of [
        () => false,
        () => {
          throw new Error('no');
        },
        () => Promise.reject(new Error('no')),
      ]) {
        const server = await start({ authenticate });
        const response = await http(server.url, {
          body: '{"jsonrpc":"2.0","method":"add","id":1}',
        });
        expect(response.status).to.equal(401);
        expect(server.connections).to.have.length(0);
      }
      const server = await start({
        authenticate: async (request) => request.headers['x-key'] === 'k',
      });
      const response = await postJson(
        server.url,
        { jsonrpc: '2.0', method: 'add', params: [5], id: 1 },
        { 'x-key': 'k' },
      );
      expect(response.status).to.equal(200);
    });

    it('path: other paths get 404 (query strings aside); the url names the path', async () => {
      const server = await start({ path: '/rpc' });
      expect(server.url).to.equal(`http://127.0.0.1:${server.port}/rpc`);
      expect((await http(`http://127.0.0.1:${server.port}/`, { body: '{}' })).status).to.equal(404);
      expect((await http(`http://127.0.0.1:${server.port}/rpc/x`, { body: '{}' })).status).to.equal(
        404,
      );
      const ok = await http(`${server.url}?token=1`, {
        body: '{"jsonrpc":"2.0","method":"add","params":[1],"id":1}',
      });
      expect(ok.status).to.equal(200);
    });

    it('as a request listener: other paths go to next() when given', async () => {
      const handler = createHttpHandler((connection) => connection.serve(methods), {
        path: '/rpc',
      });
      const passed: string[] = [];
      const server = createServer((request, response) =>
        handler(request, response, () => {
          passed.push(request.url ?? '');
          response.writeHead(299).end();
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      opened.push({ close: () => closeServer(server) });
      expect((await http(`http://127.0.0.1:${port}/other`)).status).to.equal(299);
      expect(
        (
          await http(`http://127.0.0.1:${port}/rpc`, {
            body: '{"jsonrpc":"2.0","method":"add","params":[1],"id":1}',
          })
        ).status,
      ).to.equal(200);
      expect(passed).to.deep.equal(['/other']);
    });
  });

  describe('onConnection and the exchange', () => {
    it('is awaited before the body is delivered', async () => {
      const server = await serveHttp(async (connection) => {
        await delay(20);
        connection.serve(methods);
      });
      opened.push(server);
      const response = await postJson(server.url, {
        jsonrpc: '2.0',
        method: 'add',
        params: [3],
        id: 1,
      });
      expect(response.json).to.deep.include({ result: 3 });
    });

    it('a throw or a rejection of onConnection answers 500 and goes to onError', async () => {
      const errors: unknown[] = [];
      for (const onConnection of [
        () => {
          throw new Error('sync');
        },
        () => Promise.reject(new Error('async')),
      ]) {
        const server = await serveHttp(onConnection, { onError: (error) => errors.push(error) });
        opened.push(server);
        const response = await http(server.url, {
          body: '{"jsonrpc":"2.0","method":"add","id":1}',
        });
        expect(response.status).to.equal(500);
      }
      expect(errors.map((error) => (error as Error).message)).to.deep.equal(['sync', 'async']);
    });

    it('a client gone before its answer aborts its handlers’ signals and closes the connection', async () => {
      let aborted = false;
      const server = await start(
        {},
        {
          slow: (_params, context) =>
            new Promise((resolve) => {
              context.signal.addEventListener('abort', () => {
                aborted = true;
                resolve(null);
              });
            }),
        },
      );
      const outgoing = httpRequest(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      outgoing.on('error', () => undefined);
      outgoing.end('{"jsonrpc":"2.0","method":"slow","id":1}');
      await until(() => server.connections[0]?.incomingCount === 1, 'the call to run');
      outgoing.destroy();
      await until(() => aborted, 'the signal to abort');
      expect(server.connections[0]!.closed).to.equal(true);
    });

    it('a handler calling the client back gets -32601 at once; its notifications go nowhere', async () => {
      let callback: unknown;
      const server = await start(
        {},
        {
          ask: async (_params, context) => {
            await (context.connection as JsonRpcConnection).notify('progress', [50]);
            callback = await (context.connection as JsonRpcConnection)
              .request('confirm')
              .catch((error: unknown) => error);
            return 'done';
          },
        },
      );
      const response = await postJson(server.url, { jsonrpc: '2.0', method: 'ask', id: 1 });
      expect(response.json).to.deep.equal({ jsonrpc: '2.0', id: 1, result: 'done' });
      expect(callback).to.include({ code: -32601 });
      expect((callback as Error).message).to.match(/WebSocket/);
    });

    it('a connection closed by its handler before answering answers 500', async () => {
      const server = await start(
        {},
        {
          quit: async (_params, context) => {
            await (context.connection as JsonRpcConnection).close();
            return 1;
          },
        },
      );
      const response = await http(server.url, { body: '{"jsonrpc":"2.0","method":"quit","id":1}' });
      expect(response.status).to.equal(500);
    });

    it('serveHttp().close() cuts the exchanges in flight: their handlers’ signals abort', async () => {
      let aborted = false;
      const server = await start(
        {},
        {
          slow: (_params, context) =>
            new Promise((resolve) =>
              context.signal.addEventListener('abort', () => resolve((aborted = true))),
            ),
        },
      );
      const pending = http(server.url, { body: '{"jsonrpc":"2.0","method":"slow","id":1}' }).catch(
        (error: unknown) => error,
      );
      await until(() => server.connections[0]?.incomingCount === 1, 'the call to run');
      await server.close();
      opened.length = 0;
      expect(aborted).to.equal(true);
      const ended = await pending;
      expect(ended instanceof Error || (ended as { status: number }).status === 500).to.equal(true);
    });
  });

  describe('options', () => {
    it('are checked at once', async () => {
      const cases: [HttpHandlerOptions, string][] = [
        [{ path: 'rpc' }, 'The "path" option must be a string starting with "/", got rpc'],
        [{ maxBodyBytes: 0 }, 'The "maxBodyBytes" option must be a positive integer, got 0'],
        [
          { allowedOrigins: 'x' as '*' },
          'The "allowedOrigins" option must be an array of origins, "*" or a function',
        ],
        [
          { authenticate: true as unknown as () => boolean },
          'The "authenticate" option must be a function',
        ],
        [{ onError: 1 as unknown as () => void }, 'The "onError" option must be a function'],
      ];
      for (const [options, message] of cases) {
        expect(() => createHttpHandler(() => undefined, options)).to.throw(message);
        await serveHttp(() => undefined, options).then(
          () => expect.fail('serveHttp accepted it'),
          (error: Error) => expect(error.message).to.equal(message),
        );
      }
      expect(() => createHttpHandler(1 as unknown as () => void)).to.throw(
        TypeError,
        'onConnection must be a function',
      );
    });
  });
});

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
