/**
 * rxjs-jsonrpc/browser in headless Chromium, reconnecting: the RPC server on 127.0.0.1 stops
 * and a new one starts on the same port; the page's pending request rejects, its observe$
 * subscriber keeps receiving, and nothing leaks on either server.
 */
import { expect } from 'chai';
import { feedMethods } from '../helpers/feed-methods.js';
import { Subject } from 'rxjs';
import { serveWebSocket, type WebSocketServerHandle } from '../../lib/node.js';
import { BUNDLE_PATH, openPage, type BrowserPage } from '../helpers/chromium.js';
import { until } from '../helpers/relink.js';
import { greet, type Greeted } from '../helpers/greet-on-open.js';

/** What the page keeps between steps, as `globalThis.t`. */
interface PageState {
  connection: { state: string };
  values: number[];
  cancelled: { unsubscribe(): void };
}
type Scope = typeof globalThis & { t: PageState };

describe('rxjs-jsonrpc/browser in Chromium, reconnecting', () => {
  const feed = new Subject<number>();
  const counts = { hang: 0, live: 0, subscribes: 0 };
  let browser: BrowserPage;
  let rpc: WebSocketServerHandle | undefined;
  let port = 0;

  async function start(): Promise<void> {
    rpc = await serveWebSocket(
      (connection) => {
        connection.serve({
          ...feedMethods(feed, counts),
        });
      },
      { port, allowedOrigins: [browser.origin] },
    );
    port = rpc.port;
  }

  async function stop(): Promise<void> {
    await rpc?.close();
    rpc = undefined;
  }

  const served = (): number =>
    [...(rpc?.connections ?? [])].reduce((sum, c) => sum + c.subscriptionCount, 0);

  before(async () => {
    browser = await openPage();
    await start();
  });

  after(async () => {
    await browser?.close();
    await stop();
  });

  it('survives a server restart on the same port', async () => {
    const { page } = browser;
    // Plain JavaScript, as the page runs it (no transpiler helpers inside).
    await page.evaluate(`(async () => {
      const lib = await import('${BUNDLE_PATH}');
      const connection = await lib.connectWebSocket('ws://127.0.0.1:${port}/', {
        reconnect: { delayMs: 20, maxDelayMs: 100 },
      });
      const t = { connection, values: [], states: [] };
      connection.state$.subscribe((state) => t.states.push(state));
      t.kept = connection.observe$('feed').subscribe({
        next: (v) => t.values.push(v),
        error: () => undefined,
      });
      t.cancelled = connection.observe$('feed').subscribe({ error: () => undefined });
      t.pending = connection.request('hang').then(() => 'answered', (e) => e.name);
      globalThis.t = t;
    })()`);
    await until(() => counts.live === 2 && counts.hang === 1, 'two subscriptions and a request');
    feed.next(1);
    await page.waitForFunction(() => (globalThis as Scope).t.values.length === 1);

    await stop();
    await page.waitForFunction(() => (globalThis as Scope).t.connection.state === 'reconnecting');
    await page.evaluate(() => (globalThis as Scope).t.cancelled.unsubscribe());
    await start();
    await until(() => counts.live === 1 && served() === 1, 'the resubscription');
    feed.next(2);
    await page.waitForFunction(() => (globalThis as Scope).t.values.length === 2);

    const outcome = await page.evaluate<unknown>(`(async () => {
      t.kept.unsubscribe();
      return { values: t.values, pending: await t.pending, states: t.states };
    })()`);
    expect(outcome).to.deep.equal({
      values: [1, 2],
      pending: 'ConnectionClosedError',
      states: ['open', 'reconnecting', 'open'],
    });
    await until(() => served() === 0 && counts.live === 0, 'the unsubscribe on the new server');
    expect([counts.subscribes, counts.hang]).to.deep.equal([3, 1]);
    const closed = await page.evaluate<unknown>(`(async () => {
      await t.connection.close();
      return [t.connection.state, t.states.at(-1)];
    })()`);
    expect(closed).to.deep.equal(['closed', 'closed']);
    await until(() => rpc!.connections.size === 0, 'the page to disconnect');
  });
});

describe('rxjs-jsonrpc/browser in Chromium: what the server sends in onConnection', () => {
  const greeted: Greeted = { answered: 0, failed: 0 };
  let browser: BrowserPage;
  let rpc: WebSocketServerHandle | undefined;
  let port = 0;

  async function start(): Promise<void> {
    rpc = await serveWebSocket((connection) => greet(connection, greeted, 2000), {
      port,
      allowedOrigins: [browser.origin],
    });
    port = rpc.port;
  }

  before(async () => {
    browser = await openPage();
    await start();
  });

  after(async () => {
    await browser?.close();
    await rpc?.close();
  });

  it('is answered and seen on the first link and after a restart', async () => {
    const { page } = browser;
    await page.evaluate(`(async () => {
      const lib = await import('${BUNDLE_PATH}');
      const connection = await lib.connectWebSocket('ws://127.0.0.1:${port}/', {
        reconnect: { delayMs: 20, maxDelayMs: 100 },
      });
      const t = { connection, welcomes: [] };
      connection.notifications$.subscribe((n) => t.welcomes.push(n.method));
      connection.serve({ double: ([i]) => 2 * i });
      globalThis.t = t;
    })()`);
    await until(() => greeted.answered + greeted.failed === 50, 'the first 50 answers');
    expect(greeted).to.deep.equal({ answered: 50, failed: 0 });

    await rpc!.close();
    await page.waitForFunction(() => (globalThis as Scope).t.connection.state === 'reconnecting');
    await start();
    await until(() => greeted.answered + greeted.failed === 100, 'the next 50 answers');
    const welcomes = await page.evaluate<unknown>(`(async () => {
      await t.connection.close();
      return t.welcomes;
    })()`);
    expect([greeted, welcomes]).to.deep.equal([
      { answered: 100, failed: 0 },
      ['welcome', 'welcome'],
    ]);
  });
});
