import { expect } from 'chai';
import { createServer, get, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { firstValueFrom, NEVER } from 'rxjs';
import WebSocket from 'ws';
import {
  ConnectionClosedError,
  connectWebSocket,
  serveWebSocket,
  type JsonRpcConnection,
  type ServeWebSocketOptions,
  type WebSocketServerHandle,
} from '../../../lib/node.js';
import { closeCode, closed, delay, WsWire } from '../../helpers/ws-wire.js';

/** The HTTP status of an upgrade attempt that the server refuses. */
function refusedStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.on('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => undefined);
    socket.on('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(5);
  }
}

describe('serveWebSocket()', () => {
  const opened: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
  });

  async function start(
    onConnection: (connection: JsonRpcConnection) => unknown,
    options?: Omit<ServeWebSocketOptions, 'server'>,
  ): Promise<WebSocketServerHandle> {
    const server = await serveWebSocket(onConnection, options);
    opened.push(server);
    return server;
  }

  async function client(url: string, options?: Parameters<typeof connectWebSocket>[1]) {
    const connection = await connectWebSocket(url, options);
    opened.push(connection);
    return connection;
  }

  it('listens on 127.0.0.1 and a free port by default, and serves requests both ways', async () => {
    const server = await start((connection) => {
      connection.serve({
        greet: async (params, { connection: peer }) =>
          `Hello, ${String((params as string[])[0])}, from ${String(await peer.request('whoami'))}!`,
      });
    });
    expect(server.url).to.match(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.port).to.be.greaterThan(0);
    const connection = await client(server.url);
    connection.serve({ whoami: () => 'a client' });
    expect(await connection.request('greet', ['Bob'])).to.equal('Hello, Bob, from a client!');
    expect(server.connections.size).to.equal(1);
  });

  it('sends text frames and reads binary frames as UTF-8 JSON', async () => {
    const server = await start((connection) => connection.serve({ echo: (params) => params }));
    const wire = await WsWire.open(server.url);
    opened.push(wire);
    wire.socket.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"echo","params":["é"]}'), {
      binary: true,
    });
    expect(await wire.read(1)).to.deep.equal([{ jsonrpc: '2.0', id: 1, result: ['é'] }]);
    expect(wire.binary).to.deep.equal([false]);
  });

  it('accepts upgrades on its path only', async () => {
    const server = await start(() => undefined, { path: '/rpc' });
    expect(server.url).to.match(/\/rpc$/);
    expect(await refusedStatus(server.url.replace('/rpc', '/other'))).to.equal(404);
    const wire = await WsWire.open(`${server.url}?token=1`);
    opened.push(wire);
  });

  describe('allowedOrigins', () => {
    it('by default refuses a foreign browser Origin with 403 and allows none or its own', async () => {
      const server = await start((connection) => connection.serve({ ping: () => 'pong' }));
      expect(await refusedStatus(server.url, { origin: 'https://evil.example' })).to.equal(403);
      const own = await client(server.url, { origin: `http://127.0.0.1:${server.port}` });
      expect(await own.request('ping')).to.equal('pong');
      const none = await client(server.url);
      expect(await none.request('ping')).to.equal('pong');
    });

    it('takes a list, a function or *', async () => {
      const listed = await start(() => undefined, { allowedOrigins: ['https://app.example'] });
      expect(await refusedStatus(listed.url, { origin: 'https://evil.example' })).to.equal(403);
      opened.push(await WsWire.open(listed.url, { origin: 'https://app.example' }));
      const judged = await start(() => undefined, {
        allowedOrigins: (origin) => origin.endsWith('.example'),
      });
      expect(await refusedStatus(judged.url, { origin: 'https://evil.test' })).to.equal(403);
      const any = await start(() => undefined, { allowedOrigins: '*' });
      opened.push(await WsWire.open(any.url, { origin: 'https://evil.test' }));
    });
  });

  it('authenticate refuses with 401 (also when it throws) and accepts when it says yes', async () => {
    const server = await start((connection) => connection.serve({ ping: () => 'pong' }), {
      authenticate: (request) => {
        if (request.headers.authorization === 'Bearer boom') throw new Error('auth backend down');
        return request.headers.authorization === 'Bearer good';
      },
    });
    expect(await refusedStatus(server.url)).to.equal(401);
    expect(await refusedStatus(server.url, { headers: { authorization: 'Bearer boom' } })).to.equal(
      401,
    );
    const connection = await client(server.url, { headers: { authorization: 'Bearer good' } });
    expect(await connection.request('ping')).to.equal('pong');
  });

  it('closes an oversized message with 1009 and no other client notices', async () => {
    const server = await start((connection) => connection.serve({ echo: (params) => params }), {
      maxPayload: 1024,
    });
    const bystander = await client(server.url);
    const wire = await WsWire.open(server.url);
    opened.push(wire);
    const code = closeCode(wire.socket);
    wire.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['x'.repeat(2000)] }),
    );
    expect(await code).to.equal(1009);
    expect(await bystander.request('echo', ['still here'])).to.deep.equal(['still here']);
    await until(() => server.connections.size === 1, 'the oversized connection to go');
  });

  it('drops a peer that stops answering pings, rejecting its pending requests', async () => {
    let serverSide: JsonRpcConnection | undefined;
    const server = await start((connection) => (serverSide = connection), { heartbeatMs: 40 });
    const silent = await WsWire.open(server.url, { autoPong: false });
    opened.push(silent);
    await until(() => serverSide !== undefined, 'the connection');
    const pending = serverSide!.request('are-you-there').catch((e: unknown) => e);
    expect(await closeCode(silent.socket)).to.equal(1006);
    expect(await pending).to.be.instanceOf(ConnectionClosedError);
    expect(server.connections.size).to.equal(0);
  });

  it('keeps a peer that answers pings', async () => {
    const server = await start((connection) => connection.serve({ ping: () => 'pong' }), {
      heartbeatMs: 20,
    });
    const connection = await client(server.url);
    await delay(120);
    expect(await connection.request('ping')).to.equal('pong');
  });

  it('survives a connection handler that throws or rejects: that socket closes with 1011', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const server = await start(
      (connection) => {
        calls++;
        if (calls === 1) throw new Error('handler bug');
        if (calls === 2) return Promise.reject(new Error('async handler bug'));
        connection.serve({ ping: () => 'pong' });
      },
      { onError: (error) => errors.push(error) },
    );
    for (let i = 0; i < 2; i++) {
      const wire = await WsWire.open(server.url);
      opened.push(wire);
      expect(await closeCode(wire.socket)).to.equal(1011);
    }
    const connection = await client(server.url);
    expect(await connection.request('ping')).to.equal('pong');
    expect(errors.map((e) => (e as Error).message)).to.deep.equal([
      'handler bug',
      'async handler bug',
    ]);
  });

  it('survives 500 clients vanishing mid-request', async function () {
    this.timeout(15_000);
    let started = 0;
    const server = await start((connection) =>
      connection.serve({
        hang: () => {
          started++;
          return NEVER;
        },
        ping: () => 'pong',
      }),
    );
    const sockets = await Promise.all(
      Array.from({ length: 500 }, () => WsWire.open(server.url).then((wire) => wire.socket)),
    );
    sockets.forEach((socket, i) =>
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'hang' })),
    );
    await until(() => started === 500, 'every request to start');
    sockets.forEach((socket) => socket.terminate());
    await until(() => server.connections.size === 0, 'every connection to close');
    const connection = await client(server.url);
    expect(await connection.request('ping')).to.equal('pong');
  });

  it('close() closes every connection with 1001, rejects pending requests and settles', async () => {
    const server = await serveWebSocket((connection) => connection.serve({ hang: () => NEVER }));
    const connection = await connectWebSocket(server.url);
    const wire = await WsWire.open(server.url);
    const code = closeCode(wire.socket);
    const pending = connection.request('hang').catch((e: unknown) => e);
    await delay(10);
    await server.close();
    expect(await code).to.equal(1001);
    expect(await pending).to.be.instanceOf(ConnectionClosedError);
    expect(await firstValueFrom(connection.closed$)).to.deep.equal({ reason: 'remote' });
    expect(server.connections.size).to.equal(0);
    const refused = await connectWebSocket(server.url).catch((e: unknown) => e);
    expect((refused as Error).message).to.equal(
      `Could not connect to ${server.url}: connection refused`,
    );
  });

  it('shares an existing HTTP server: upgrades on its path, plain requests stay the app’s', async () => {
    const http: Server = createServer((_request, response) => response.end('hello from the app'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise((resolve) => http.close(resolve)) });
    const { port } = http.address() as AddressInfo;
    const server = await serveWebSocket((connection) => connection.serve({ ping: () => 'pong' }), {
      server: http,
      path: '/rpc',
    });
    opened.push(server);
    expect(server.port).to.equal(port);
    const connection = await client(`ws://127.0.0.1:${port}/rpc`);
    expect(await connection.request('ping')).to.equal('pong');
    const body = await new Promise<string>((resolve, reject) =>
      get(`http://127.0.0.1:${port}/`, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += String(chunk)));
        response.on('end', () => resolve(text));
      }).on('error', reject),
    );
    expect(body).to.equal('hello from the app');
    await connection.close();
    await server.close();
    expect(http.listening).to.equal(true);
  });

  it('attaches to an HTTP server before it listens: port and url once it does, and after a re-listen', async () => {
    const http: Server = createServer();
    const listen = () => new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const server = await serveWebSocket((connection) => connection.serve({ ping: () => 'pong' }), {
      server: http,
      path: '/rpc',
    });
    try {
      expect([server.port, server.url]).to.deep.equal([undefined, undefined]);
      for (let round = 0; round < 2; round++) {
        await listen();
        const { port } = http.address() as AddressInfo;
        expect([server.port, server.url]).to.deep.equal([port, `ws://127.0.0.1:${port}/rpc`]);
        const connection = await connectWebSocket(server.url!);
        expect(await connection.request('ping')).to.equal('pong');
        await connection.close();
        await until(() => server.connections.size === 0, 'the connection to go');
        await new Promise((resolve) => http.close(resolve));
        expect([server.port, server.url]).to.deep.equal([undefined, undefined]);
      }
    } finally {
      await server.close();
      if (http.listening) await new Promise((resolve) => http.close(resolve));
    }
  });

  it('validates its options', async () => {
    const error = await serveWebSocket(() => undefined, { maxPayload: -1 }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message).to.equal(
      'The "maxPayload" option must be a positive integer, got -1',
    );
    const wrong = await serveWebSocket('nope' as never).catch((e: unknown) => e);
    expect(wrong).to.be.instanceOf(TypeError);
    // Options of each connection and transport are checked before any client comes.
    const connection = await serveWebSocket(() => undefined, {
      connection: { maxBatchSize: 0 },
    }).catch((e: unknown) => e);
    expect((connection as Error).message).to.equal(
      'The "maxBatchSize" option must be a positive integer, got 0',
    );
    const transport = await serveWebSocket(() => undefined, { framesPerWrite: 0 }).catch(
      (e: unknown) => e,
    );
    expect((transport as Error).message).to.equal(
      'The "framesPerWrite" option must be a positive integer, got 0',
    );
  });

  it('connections is a live read-only set of the open connections', async () => {
    const accepted: JsonRpcConnection[] = [];
    const server = await start((connection) => void accepted.push(connection));
    const first = await client(server.url);
    const second = await client(server.url);
    await until(() => accepted.length === 2, 'both connections');
    expect(server.connections.size).to.equal(2);
    expect([...server.connections]).to.deep.equal(accepted);
    expect(accepted.every((connection) => server.connections.has(connection))).to.equal(true);
    const seen: JsonRpcConnection[] = [];
    server.connections.forEach((connection) => seen.push(connection));
    expect(seen).to.deep.equal(accepted);
    await first.close();
    await until(() => server.connections.size === 1, 'the first connection to go');
    expect(server.connections.has(accepted[0]!)).to.equal(false);
    expect([...server.connections.values()]).to.deep.equal([accepted[1]]);
    await second.close();
    await until(() => server.connections.size === 0, 'the second connection to go');
  });

  describe('a connection this side gives up on leaves connections at once', () => {
    /** A raw client whose TCP socket can stop reading (then no close is answered). */
    async function peer(url: string): Promise<{ socket: WebSocket; tcp: Socket }> {
      let tcp: Socket | undefined;
      const socket = new WebSocket(url, {
        createConnection: (options: object) =>
          (tcp = connect(options as { port: number; host: string })),
      });
      opened.push({
        close: () => {
          tcp?.resume();
          socket.terminate();
          return closed(socket);
        },
      });
      await new Promise((resolve) => socket.once('open', resolve));
      return { socket, tcp: tcp! };
    }

    it('closed by close(), the peer not reading', async () => {
      const accepted: JsonRpcConnection[] = [];
      const listed: [boolean, number][] = [];
      const server = await start((connection) => {
        accepted.push(connection);
        connection.closed$.subscribe(() =>
          listed.push([server.connections.has(connection), server.connections.size]),
        );
      });
      const { tcp } = await peer(server.url);
      await until(() => accepted.length === 1, 'the connection');
      tcp.pause();
      await accepted[0]!.close();
      expect(listed).to.deep.equal([[false, 0]]);
      expect([...server.connections]).to.deep.equal([]);
    });

    it('closed with 1011 for a rejecting onConnection, the peer not reading', async () => {
      let fail: (error: Error) => void = () => undefined;
      const server = await start(() => new Promise((_resolve, reject) => (fail = reject)), {
        onError: () => undefined,
      });
      const { tcp } = await peer(server.url);
      await until(() => server.connections.size === 1, 'the connection');
      tcp.pause();
      fail(new Error('handler bug'));
      await delay(0);
      expect([server.connections.size, [...server.connections]]).to.deep.equal([0, []]);
    });

    it('dropped as too slow a reader (SlowPeerError): terminated, not left to a handshake', async () => {
      const accepted: JsonRpcConnection[] = [];
      const listed: [boolean, number][] = [];
      const server = await start(
        (connection) => {
          accepted.push(connection);
          connection.closed$.subscribe(() =>
            listed.push([server.connections.has(connection), server.connections.size]),
          );
        },
        { highWaterMark: 64 * 1024, maxBufferedBytes: 4 * 1024 * 1024 },
      );
      const { socket, tcp } = await peer(server.url);
      const peerClosed = closeCode(socket);
      await until(() => accepted.length === 1, 'the connection');
      const connection = accepted[0]!;
      tcp.pause();
      const padding = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 300 && !connection.closed; i++) {
        void connection.notify('flood', [padding]).catch(() => undefined);
      }
      expect(listed).to.deep.equal([[false, 0]]);
      // Reading again, the peer finds the link cut, not a close frame behind 4 MiB.
      tcp.resume();
      expect(await peerClosed).to.equal(1006);
    });
  });

  it('a closed client leaves nothing behind on the server', async () => {
    const server = await start((connection) => connection.serve({ ping: () => 'pong' }));
    const wire = await WsWire.open(server.url);
    await until(() => server.connections.size === 1, 'the connection');
    await closed(wire.socket);
    await until(() => server.connections.size === 0, 'the connection to go');
  });
});
