/**
 * rxjs-jsonrpc/browser in headless Chromium: a page loads the bundled entry, connects to a
 * server on 127.0.0.1, makes requests, receives notifications, and sees a server-side close
 * reject a pending request. Needs /usr/bin/chromium (Debian's `chromium` package).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { NEVER } from 'rxjs';
import type * as Entry from '../../lib/browser.js';
import { serveWebSocket, type WebSocketServerHandle } from '../../lib/node.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser entry bundled for the page, as an ES module. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: ['lib/browser.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('rxjs-jsonrpc/browser in Chromium', () => {
  let http: Server;
  let rpc: WebSocketServerHandle;
  let browser: Browser;
  let page: Page;
  let origin: string;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (never a downloaded browser)`,
      );
    }
    const code = await bundle();
    http = createServer((request, response) => {
      if (request.url === '/rxjs-jsonrpc.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
      } else {
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>rxjs-jsonrpc</title>');
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
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
      { server: http, path: '/rpc' },
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage();
    await page.goto(`${origin}/`);
  });

  after(async () => {
    await browser?.close();
    await rpc?.close();
    if (http) await new Promise((resolve) => http.close(resolve));
  });

  it('requests, receives notifications, and sees a server-side close reject a pending request', async () => {
    const outcome = await page.evaluate(
      async (url) => {
        const bundled = '/rxjs-jsonrpc.js';
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
      `${origin.replace('http', 'ws')}/rpc`,
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
      async (url) => {
        const bundled = '/rxjs-jsonrpc.js';
        const lib = (await import(bundled)) as typeof Entry;
        return lib.connectWebSocket(url).then(
          () => 'connected',
          (e: Error) => `${e.name}: ${e.message}`,
        );
      },
      `${origin.replace('http', 'ws')}/not-rpc`,
    );
    expect(message).to.match(
      /^WebSocketConnectError: Could not connect to ws:\/\/127\.0\.0\.1:\d+\/not-rpc: the handshake failed \(close code 1006\)$/,
    );
  });
});
