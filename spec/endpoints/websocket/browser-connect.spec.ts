/**
 * reconnectingWebSocket() — the browser entry's transport of WebSocket links made at once — in
 * Node, with the `ws` package as `globalThis.WebSocket`, against a real server on 127.0.0.1
 * that stops and starts again on the same port.
 */
import { expect } from 'chai';
import {
  ConnectionClosedError,
  JsonRpcConnection,
  reconnectingWebSocket,
} from '../../../lib/browser.js';
import { serveWebSocket, type WebSocketServerHandle } from '../../../lib/node.js';
import { useWsAsGlobalWebSocket } from '../../helpers/global-websocket.js';
import { until } from '../../helpers/relink.js';

const RECONNECT = { delayMs: 10, maxDelayMs: 40 };

describe('reconnectingWebSocket()', () => {
  useWsAsGlobalWebSocket();
  let server: WebSocketServerHandle | undefined;
  let port = 0;
  const connections: JsonRpcConnection[] = [];

  async function start(): Promise<WebSocketServerHandle> {
    server = await serveWebSocket(
      (connection) => {
        connection.serve({ echo: (params) => params });
      },
      { port },
    );
    port = server.port;
    return server;
  }

  async function stop(): Promise<void> {
    await server?.close();
    server = undefined;
  }

  function connect(options: Parameters<typeof reconnectingWebSocket>[1]): {
    connection: JsonRpcConnection;
    states: string[];
  } {
    const connection = new JsonRpcConnection(
      reconnectingWebSocket(`ws://127.0.0.1:${port}`, options),
    );
    connections.push(connection);
    const states: string[] = [];
    connection.state$.subscribe((state) => states.push(state));
    return { connection, states };
  }

  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.close();
    await stop();
    port = 0;
  });

  it('is connecting at once; a call made then waits for the link and is answered', async () => {
    await start();
    const { connection, states } = connect({ reconnect: RECONNECT });
    expect(connection.state).to.equal('connecting');
    expect(await connection.request('echo', ['early'])).to.deep.equal(['early']);
    expect(states).to.deep.equal(['connecting', 'open']);
  });

  it('retries a refused first opening, then reconnects after a server restart', async () => {
    await start();
    await stop(); // the port is known and refuses
    const { connection, states } = connect({ reconnect: { ...RECONNECT, attempts: 50 } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(connection.state).to.equal('connecting');
    await start();
    await until(() => connection.state === 'open', 'the first link');
    await stop();
    await until(() => connection.state === 'reconnecting', 'the link lost');
    await start();
    await until(() => connection.state === 'open', 'the second link');
    expect(await connection.request('echo', [2])).to.deep.equal([2]);
    expect(states).to.deep.equal(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('with reconnect false, a refused first opening closes the connection for good', async () => {
    await start();
    await stop();
    const { connection, states } = connect({ reconnect: false });
    const error = await connection.request('echo', [1]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConnectionClosedError);
    expect(connection.closed).to.equal(true);
    expect(states).to.deep.equal(['connecting', 'closed']);
  });

  it('with reconnect false, a lost link closes the connection for good', async () => {
    await start();
    const { connection, states } = connect({ reconnect: false });
    expect(await connection.request('echo', [1])).to.deep.equal([1]);
    await stop();
    await until(() => connection.closed, 'the close');
    await start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(states).to.deep.equal(['connecting', 'open', 'closed']);
    expect(server!.connections.size).to.equal(0);
  });

  it('checks its options at once', () => {
    expect(() => reconnectingWebSocket(42 as unknown as string)).to.throw(
      TypeError,
      'The WebSocket URL must be a string, got number',
    );
    expect(() => reconnectingWebSocket('ws://127.0.0.1:1', { handshakeTimeoutMs: -1 })).to.throw(
      RangeError,
      '"handshakeTimeoutMs"',
    );
    expect(() => reconnectingWebSocket('ws://127.0.0.1:1', { highWaterMark: -1 })).to.throw(
      RangeError,
      '"highWaterMark"',
    );
    expect(() =>
      reconnectingWebSocket('ws://127.0.0.1:1', { reconnect: { attempts: -1 } }),
    ).to.throw(RangeError, '"reconnect.attempts"');
  });
});
