/**
 * connectWebSocket(url, { reconnect }) in Node against a real server on 127.0.0.1 that stops
 * and starts again on the same port.
 */
import { expect } from 'chai';
import { feedMethods } from '../../helpers/feed-methods.js';
import { Subject } from 'rxjs';
import {
  ConnectionClosedError,
  connectWebSocket,
  serveWebSocket,
  WebSocketConnectError,
  type JsonRpcCloseEvent,
  type JsonRpcConnection,
  type ServeWebSocketOptions,
  type WebSocketServerHandle,
} from '../../../lib/node.js';
import { until } from '../../helpers/relink.js';
import { delay } from '../../helpers/ws-wire.js';
import { greet, type Greeted } from '../../helpers/greet-on-open.js';

const RECONNECT = { delayMs: 10, maxDelayMs: 40 };

describe('connectWebSocket() with reconnect', () => {
  const feed = new Subject<number>();
  const counts = { hang: 0, live: 0, subscribes: 0 };
  let server: WebSocketServerHandle | undefined;
  let port = 0;
  const clients: JsonRpcConnection[] = [];

  async function start(
    options: Omit<ServeWebSocketOptions, 'server'> = {},
  ): Promise<WebSocketServerHandle> {
    server = await serveWebSocket(
      (connection) => {
        connection.serve({
          ...feedMethods(feed, counts),
        });
      },
      { port, ...options },
    );
    port = server.port;
    return server;
  }

  async function stop(): Promise<void> {
    await server?.close();
    server = undefined;
  }

  async function client(reconnect: object = RECONNECT): Promise<JsonRpcConnection> {
    const connection = await connectWebSocket(server!.url, { reconnect });
    clients.push(connection);
    return connection;
  }

  const served = (): number =>
    [...(server?.connections ?? [])].reduce((sum, c) => sum + c.subscriptionCount, 0);

  beforeEach(() => {
    port = 0;
    Object.assign(counts, { hang: 0, live: 0, subscribes: 0 });
  });
  afterEach(async () => {
    for (const connection of clients.splice(0)) await connection.close();
    await stop();
  });

  it('survives a server restart: pending calls reject, streams go on, nothing leaks', async () => {
    await start();
    const connection = await client();
    const values: number[] = [];
    const kept = connection.observe$<number>('feed').subscribe((v) => values.push(v));
    const cancelled = connection.observe$<number>('feed').subscribe();
    await until(() => counts.live === 2, 'two server subscriptions');
    feed.next(1);
    await until(() => values.length === 1, 'the first value');
    const pending = connection.request('hang').catch((e: unknown) => e);
    await until(() => counts.hang === 1, 'the pending request');

    await stop();
    expect(await pending).to.be.instanceOf(ConnectionClosedError);
    await until(() => connection.state === 'reconnecting', 'the drop');
    cancelled.unsubscribe(); // while offline: must never come back
    await delay(30); // a few refused attempts
    await start();
    await until(() => connection.state === 'open' && counts.live === 1, 'the resubscription');
    expect(counts.subscribes).to.equal(3);
    feed.next(2);
    await until(() => values.length === 2, 'the value after the restart');
    expect(values).to.deep.equal([1, 2]);
    expect(served()).to.equal(1);
    kept.unsubscribe();
    await until(() => served() === 0 && counts.live === 0, 'the unsubscribe on the new server');
    expect(await connection.request('echo', ['still here'])).to.deep.equal(['still here']);
    expect(counts.hang).to.equal(1);
  });

  it('answers what the server sends in onConnection, on the first link and after a restart', async () => {
    const greeted: Greeted = { answered: 0, failed: 0 };
    const startGreeting = async (): Promise<void> => {
      server = await serveWebSocket((connection) => greet(connection, greeted), { port });
      port = server.port;
    };
    await startGreeting();
    const connection = await client();
    const welcomes: string[] = [];
    connection.notifications$.subscribe((notification) => welcomes.push(notification.method));
    connection.serve({ double: (params: unknown) => 2 * (params as number[])[0]! });
    await until(() => greeted.answered + greeted.failed === 50, 'the first 50 answers', 2000);
    expect([greeted, welcomes]).to.deep.equal([{ answered: 50, failed: 0 }, ['welcome']]);

    await stop();
    await until(() => connection.state === 'reconnecting', 'the drop');
    await startGreeting();
    await until(() => greeted.answered + greeted.failed === 100, 'the next 50 answers', 2000);
    expect([greeted, welcomes]).to.deep.equal([
      { answered: 100, failed: 0 },
      ['welcome', 'welcome'],
    ]);
  });

  it('a close for a message too big (1009) is final', async () => {
    await start({ maxPayload: 1024 });
    const connection = await client();
    const ended: JsonRpcCloseEvent[] = [];
    connection.closed$.subscribe((event) => ended.push(event));
    const error = await connection.request('echo', ['x'.repeat(4096)]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConnectionClosedError);
    await until(() => connection.closed, 'the final close');
    expect([ended, connection.state]).to.deep.equal([[{ reason: 'remote' }], 'closed']);
    expect(server!.connections.size).to.equal(0);
  });

  it('a 401 on reconnecting is final: closed with the handshake error', async () => {
    await start();
    const connection = await client();
    const ended: JsonRpcCloseEvent[] = [];
    connection.closed$.subscribe((event) => ended.push(event));
    await stop();
    await start({ authenticate: () => false });
    await until(() => connection.closed, 'the final close');
    const { error } = ended[0]!;
    expect(error).to.be.instanceOf(WebSocketConnectError).with.property('status', 401);
  });

  it('gives up after `attempts` failures in a row', async () => {
    await start();
    const connection = await client({ ...RECONNECT, attempts: 2 });
    const ended: JsonRpcCloseEvent[] = [];
    connection.closed$.subscribe((event) => ended.push(event));
    await stop();
    await until(() => connection.closed, 'giving up');
    expect(ended[0]!.reason).to.equal('error');
    expect(ended[0]!.error)
      .to.be.instanceOf(WebSocketConnectError)
      .with.property('code', 'ECONNREFUSED');
  });

  it('close() while reconnecting is final: no attempt reaches a new server', async () => {
    await start();
    const connection = await client({ delayMs: 50, maxDelayMs: 50 });
    await stop();
    await until(() => connection.state === 'reconnecting', 'the drop');
    await connection.close();
    await start();
    await delay(120);
    expect([connection.state, server!.connections.size]).to.deep.equal(['closed', 0]);
  });

  it('validates the reconnect option', async () => {
    await start();
    const error = await connectWebSocket(server!.url, { reconnect: 'always' as never }).catch(
      (e: unknown) => e,
    );
    expect(error)
      .to.be.instanceOf(TypeError)
      .with.property(
        'message',
        'The "reconnect" option must be a boolean or an object, got always',
      );
  });
});
