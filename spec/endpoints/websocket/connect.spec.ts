import { expect } from 'chai';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  connectWebSocket,
  JsonRpcConnectionType,
  serveWebSocket,
  WebSocketConnectError,
} from '../../../lib/node.js';
import { until } from '../../helpers/relink.js';
import { greet, type Greeted } from '../../helpers/greet-on-open.js';
import { freePort } from '../../helpers/free-port.js';

describe('connectWebSocket() (Node)', () => {
  it('resolves with an open CLIENT connection by default', async () => {
    const server = await serveWebSocket((connection) => connection.serve({ ping: () => 'pong' }));
    const connection = await connectWebSocket(server.url);
    expect(connection.role).to.equal(JsonRpcConnectionType.CLIENT);
    expect(await connection.request('ping')).to.equal('pong');
    await connection.close();
    await server.close();
  });

  it('delivers what the server sends in onConnection: 50 requests answered, the notification seen', async () => {
    const greeted: Greeted = { answered: 0, failed: 0 };
    const server = await serveWebSocket((connection) => greet(connection, greeted));
    try {
      const connection = await connectWebSocket(server.url);
      const welcomes: string[] = [];
      connection.notifications$.subscribe((notification) => welcomes.push(notification.method));
      connection.serve({ double: (params: unknown) => 2 * (params as number[])[0]! });
      await until(() => greeted.answered + greeted.failed === 50, 'the 50 answers', 2000);
      expect([greeted, welcomes]).to.deep.equal([{ answered: 50, failed: 0 }, ['welcome']]);
    } finally {
      await server.close();
    }
  });

  it('rejects a refused connection, naming the cause', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/`;
    const error = (await connectWebSocket(url).catch((e: unknown) => e)) as WebSocketConnectError;
    expect(error).to.be.instanceOf(WebSocketConnectError);
    expect(error.message).to.equal(`Could not connect to ${url}: connection refused`);
    expect([error.code, error.status, error.timeout]).to.deep.equal([
      'ECONNREFUSED',
      undefined,
      false,
    ]);
  });

  for (const status of [401, 403] as const) {
    it(`rejects an HTTP ${status} handshake with its status`, async () => {
      const server = await serveWebSocket(() => undefined, {
        authenticate: () => status !== 401,
        allowedOrigins: status === 403 ? [] : '*',
      });
      const error = (await connectWebSocket(server.url, {
        origin: 'https://elsewhere.example',
      }).catch((e: unknown) => e)) as WebSocketConnectError;
      expect(error.message).to.equal(
        `Could not connect to ${server.url}: the server answered HTTP ${status}`,
      );
      expect(error.status).to.equal(status);
      await server.close();
    });
  }

  it('rejects when the handshake times out, and closes its socket', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.resume();
    });
    try {
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      const url = `ws://127.0.0.1:${port}/`;
      const error = (await connectWebSocket(url, { handshakeTimeoutMs: 50 }).catch(
        (e: unknown) => e,
      )) as WebSocketConnectError;
      expect(error.message).to.equal(`Could not connect to ${url}: no handshake within 50 ms`);
      expect(error.timeout).to.equal(true);
      const deadline = Date.now() + 2000;
      while (sockets.some((socket) => !socket.readableEnded) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(sockets.map((socket) => socket.readableEnded)).to.deep.equal([true]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('validates its options', async () => {
    const error = await connectWebSocket('ws://127.0.0.1:1/', { handshakeTimeoutMs: -5 }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RangeError);
  });
});
