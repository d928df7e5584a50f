/**
 * The Angular sample's server: one port for the page (index.html and the app, bundled by
 * esbuild at start-up, in memory) and for JSON-RPC over WebSocket on /rpc. It answers
 * `greet [name]`, streams `ticks` (a counter, every 100 ms) and notifies `news` to each
 * connection every 300 ms.
 *
 *   npm run sample:angular            # http://127.0.0.1:8080/
 *   PORT=0 npm run sample:angular     # any free port; the URL is printed
 */
import { interval, map, takeUntil } from 'rxjs';
import { InvalidParamsError, stream, type JsonRpcConnection } from 'rxjs-jsonrpc';
import { runAsScript, startPageServer, type PageServer } from '../page-server.js';

/** A running sample server. */
export type AngularSample = PageServer;

/** What each connection is served. */
function onConnection(connection: JsonRpcConnection): void {
  connection.serve({
    greet: (params) => {
      const name: unknown = Array.isArray(params) ? params[0] : undefined;
      if (typeof name !== 'string') throw new InvalidParamsError('greet takes [name: string]');
      return `Hello, ${name}!`;
    },
    // observe$('ticks') on the client, injectStream('ticks') in Angular: 1, 2, 3, …
    ticks: stream(() => interval(100).pipe(map((n) => n + 1))),
  });
  // A notification to this connection every 300 ms, until it closes.
  interval(300)
    .pipe(takeUntil(connection.closed$))
    .subscribe((n) => {
      connection.notify('news', [`Headline #${n + 1}`]).catch(() => undefined);
    });
}

/** Bundles the app, then serves it and JSON-RPC on `port` (0: a free one) of 127.0.0.1. */
export function startAngularSample({ port = 8080 } = {}): Promise<AngularSample> {
  return startPageServer({
    port,
    html: new URL('index.html', import.meta.url),
    script: new URL('main.ts', import.meta.url),
    onConnection,
  });
}

await runAsScript(
  import.meta.url,
  (port) => startAngularSample({ port }),
  (url) => `Angular sample on ${url}`,
);
