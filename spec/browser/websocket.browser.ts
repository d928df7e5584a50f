/**
 * rxjs-jsonrpc/browser in headless Chromium: a page loads the bundled entry, connects to a
 * server on 127.0.0.1, makes requests, receives notifications, and sees a server-side close
 * reject a pending request. Needs /usr/bin/chromium (Debian's `chromium` package).
 */
import { expect } from 'chai';
import { NEVER } from 'rxjs';
import type * as Entry from '../../lib/browser.js';
import { serveWebSocket, type WebSocketServerHandle } from '../../lib/node.js';
import { BUNDLE_PATH, openPage, type BrowserPage } from '../helpers/chromium.js';

describe('rxjs-jsonrpc/browser in Chromium', () => {
  let browser: BrowserPage;
  let rpc: WebSocketServerHandle;
  let page: BrowserPage['page'];
  let wsUrl: string;

  before(async () => {
    browser = await openPage();
    page = browser.page;
    rpc = await serveWebSocket(
      (connection) => {
        connection.serve({
          greet: (params) => ({ greeting: `Hello, ${String((params as string[])[0])}!` }),
          hang: () => NEVER,
          tick: async (params) => {
            const count = (params as [number])[0];
            for (let i = 1; i <= count; i++) await connection.notify('tick', [i]);
            return count;
          },
          closeMe: () => {
            setTimeout(() => void connection.close(), 20);
            return 'closing';
          },
        });
      },
      { path: '/rpc', allowedOrigins: [browser.origin] },
    );
    wsUrl = rpc.url;
  });

  after(async () => {
    await browser?.close();
    await rpc?.close();
  });

  it('requests, receives notifications, and sees a server-side close reject a pending request', async () => {
    const outcome = await page.evaluate(
      async ({ url, path }) => {
        const bundled = path;
        const lib = (await import(bundled)) as typeof Entry;
        const connection = await lib.connectWebSocket(url);
        const ticks: unknown[] = [];
        connection.notifications$.subscribe((note) => ticks.push(note.params));
        const greeting = await connection.request('greet', ['Browser']);
        const tickCount = await connection.request('tick', [3]);
        const missing = await connection.request('nope').catch((e: Error) => e.name);
        const pending = connection.request('hang').catch((e: Error) => e.name);
        const closing = await connection.request('closeMe');
        const pendingError = await pending;
        const afterClose = await connection.request('greet', ['again']).catch((e: Error) => e.name);
        return {
          greeting,
          tickCount,
          ticks,
          missing,
          closing,
          pendingError,
          afterClose,
          closed: connection.closed,
        };
      },
      { url: wsUrl, path: BUNDLE_PATH },
    );
    expect(outcome).to.deep.equal({
      greeting: { greeting: 'Hello, Browser!' },
      tickCount: 3,
      ticks: [[1], [2], [3]],
      missing: 'MethodNotFoundError',
      closing: 'closing',
      pendingError: 'ConnectionClosedError',
      afterClose: 'ConnectionClosedError',
      closed: true,
    });
  });

  it('a failed handshake rejects with WebSocketConnectError', async () => {
    const message = await page.evaluate(
      async ({ url, path }) => {
        const bundled = path;
        const lib = (await import(bundled)) as typeof Entry;
        return lib.connectWebSocket(url).then(
          () => 'connected',
          (e: Error) => `${e.name}: ${e.message}`,
        );
      },
      { url: wsUrl.replace('/rpc', '/not-rpc'), path: BUNDLE_PATH },
    );
    expect(message).to.match(
      /^WebSocketConnectError: Could not connect to ws:\/\/127\.0\.0\.1:\d+\/not-rpc: the handshake failed \(close code 1006\)$/,
    );
  });
});
