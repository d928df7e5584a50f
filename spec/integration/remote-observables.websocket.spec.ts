/**
 * Remote Observables over a real WebSocket on 127.0.0.1: our client and our server, and a
 * client that stops reading.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { defer, finalize, lastValueFrom, of, Subject, take, throwError, toArray } from 'rxjs';
import { firstValueFrom } from 'rxjs';
import type { JsonRpcError } from '../../lib/node.js';
import {
  connectWebSocket,
  InvalidParamsError,
  serveWebSocket,
  stream,
  type JsonRpcConnection,
  type WebSocketServerHandle,
} from '../../lib/node.js';
import { delay, WsWire } from '../helpers/ws-wire.js';

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(5);
  }
}

describe('remote Observables over WebSocket', () => {
  const source = new Subject<string>();
  let live = 0;
  let server: WebSocketServerHandle;
  const opened: { close(): Promise<unknown> }[] = [];

  const serverCount = (): number =>
    [...server.connections].reduce((sum, c) => sum + c.subscriptionCount, 0);

  beforeEach(async () => {
    live = 0;
    server = await serveWebSocket(
      (connection) => {
        connection.serve({
          feed: stream(
            () =>
              defer(() => {
                live++;
                return source;
              }).pipe(finalize(() => live--)),
            { maxQueue: 50 },
          ),
          range: stream((params) => of(...(params as number[]))),
          fails: stream(() => throwError(() => new InvalidParamsError('Too wide', { max: 9 }))),
        });
      },
      { highWaterMark: 16 * 1024 },
    );
    opened.push(server);
  });
  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
  });

  async function client(): Promise<JsonRpcConnection> {
    const connection = await connectWebSocket(server.url);
    opened.push(connection);
    return connection;
  }

  it('streams values, errors with code and data, completes, and unsubscribes', async () => {
    const connection = await client();
    expect(
      await lastValueFrom(connection.observe$('range', [1, 2, 3]).pipe(toArray())),
    ).to.deep.equal([1, 2, 3]);
    const error = (await firstValueFrom(connection.observe$('fails')).catch(
      (e: unknown) => e,
    )) as JsonRpcError;
    expect(error).to.be.instanceOf(InvalidParamsError);
    expect([error.code, error.message, error.data]).to.deep.equal([-32602, 'Too wide', { max: 9 }]);
    const two = lastValueFrom(connection.observe$<string>('feed').pipe(take(2), toArray()));
    await until(() => live === 1, 'the server subscription');
    source.next('a');
    source.next('b');
    source.next('c');
    expect(await two).to.deep.equal(['a', 'b']);
    await until(() => live === 0 && serverCount() === 0, 'the server side torn down');
  });

  it('a closed client leaves no subscription on the server', async () => {
    const connection = await client();
    connection.observe$('feed').subscribe({ error: () => undefined });
    connection.observe$('feed').subscribe({ error: () => undefined });
    await until(() => live === 2, 'two server subscriptions');
    await connection.close();
    await until(() => live === 0 && serverCount() === 0, 'the server side torn down');
  });

  it('a client that stops reading lags alone; the others get every value', async function () {
    this.timeout(10_000);
    const quick = await client();
    const received: string[] = [];
    const ended: unknown[] = [];
    quick.observe$<string>('feed').subscribe({
      next: (value) => received.push(value),
      error: (error: unknown) => ended.push(error),
    });
    const slow = await WsWire.open(server.url);
    opened.push(slow);
    slow.send('{"jsonrpc":"2.0","id":1,"method":"feed_subscribe"}');
    const [answer] = (await slow.read(1)) as { result: string }[];
    await until(() => live === 2, 'two server subscriptions');
    slow.socket.pause();
    try {
      const chunk = 'x'.repeat(64 * 1024);
      for (let n = 0; n < 400; n++) {
        source.next(`${n}:${chunk}`);
        if (n % 10 === 9) await delay(8); // a producer that lets the event loop run
      }
      await until(() => received.length === 400 || ended.length > 0, 'the quick client');
      expect([received.length, ended]).to.deep.equal([400, []]);
      expect(live).to.equal(1); // the slow one let go of the producer
    } finally {
      slow.socket.resume();
    }
    await until(() => serverCount() === 1, 'the lagged subscription told and forgotten', 5000);
    const frames = (await slow.drain()) as { params: { error?: unknown } }[];
    expect(frames.at(-1)!.params).to.deep.equal({
      subscription: answer!.result,
      error: { code: -32010, message: 'subscription lagged', data: { limit: 50 } },
    });
  });
});
