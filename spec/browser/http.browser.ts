/**
 * connectHttp from rxjs-jsonrpc/browser in headless Chromium, calling an HTTP server of
 * another origin on 127.0.0.1: CORS preflight with an Authorization header, a tick's calls
 * batched into one POST, errors rebuilt, an aborted call reaching the server's handler, and a
 * server that does not allow the page's origin refused by the browser.
 * Needs /usr/bin/chromium (Debian's `chromium` package).
 */
import { expect } from 'chai';
import type * as Entry from '../../lib/browser.js';
import { InvalidParamsError, serveHttp, type HttpServerHandle } from '../../lib/node.js';
import { BUNDLE_PATH, openPage, type BrowserPage } from '../helpers/chromium.js';

describe('connectHttp in Chromium', () => {
  let browser: BrowserPage;
  let rpc: HttpServerHandle;
  let foreign: HttpServerHandle;
  const posts: number[] = [];
  const methods: string[] = [];
  let aborted = 0;

  before(async () => {
    browser = await openPage();
    rpc = await serveHttp(
      (connection) => {
        let calls = 0;
        connection.requests$.subscribe(() => calls++);
        void connection.closed$.subscribe(() => posts.push(calls));
        connection.serve({
          add: (params) => {
            const [a, b] = params as [unknown, unknown];
            if (typeof a !== 'number' || typeof b !== 'number')
              throw new InvalidParamsError('add takes two numbers');
            methods.push('add');
            return a + b;
          },
          slow: (_params, context) =>
            new Promise((resolve) =>
              context.signal.addEventListener('abort', () => {
                aborted++;
                resolve(null);
              }),
            ),
        });
      },
      {
        path: '/rpc',
        allowedOrigins: [browser.origin],
        authenticate: (request) => request.headers.authorization === 'Bearer page',
      },
    );
    foreign = await serveHttp((connection) => connection.serve({ add: () => 0 }));
  });

  after(async () => {
    await browser?.close();
    await rpc?.close();
    await foreign?.close();
  });

  it('calls across origins: preflight, one POST per tick, errors, an abort reaching the server', async () => {
    const outcome = await browser.page.evaluate(
      async ({ url, foreignUrl, path }) => {
        const lib = (await import(path)) as typeof Entry;
        const connection = lib.connectHttp(url, { headers: { authorization: 'Bearer page' } });
        const sums = await Promise.all([
          connection.request('add', [1, 2]),
          connection.request('add', [3, 4]),
          connection.request('add', [5, 6]),
        ]);
        const invalid = await connection.request('add', ['x']).catch((e: Error) => e.name);
        const controller = new AbortController();
        const slow = connection
          .request('slow', [], { signal: controller.signal })
          .catch((e: Error) => e.name);
        await new Promise((resolve) => setTimeout(resolve, 200));
        controller.abort();
        const slowError = await slow;
        const unauthorized = lib.connectHttp(url);
        const refused = await unauthorized
          .request('add', [1, 1])
          .catch((e: Error & { status?: number }) => `${e.name} ${e.status}`);
        const stranger = lib.connectHttp(foreignUrl);
        const blocked = await stranger
          .request('add', [1, 1])
          .catch((e: Error & { status?: number; cause?: unknown }) => ({
            name: e.name,
            status: e.status,
            cause: e.cause instanceof TypeError,
          }));
        await connection.close();
        return { sums, invalid, slowError, refused, blocked };
      },
      { url: rpc.url, foreignUrl: foreign.url, path: BUNDLE_PATH },
    );
    expect(outcome).to.deep.equal({
      sums: [3, 7, 11],
      invalid: 'InvalidParamsError',
      slowError: 'RequestCancelledError',
      refused: 'JsonRpcHttpError 401',
      blocked: { name: 'JsonRpcHttpError', status: undefined, cause: true },
    });
    expect(posts[0], 'the three adds of one tick in one POST').to.equal(3);
    const deadline = Date.now() + 3000;
    while (aborted === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(aborted, 'the abort reached the server').to.equal(1);
  });
});
