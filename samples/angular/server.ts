/**
 * The Angular sample's server: one port for the page (index.html and the app, bundled by
 * esbuild at start-up, in memory) and for JSON-RPC over WebSocket on /rpc. It answers
 * `greet [name]`, streams `ticks` (a counter, every 100 ms) and notifies `news` to each
 * connection every 300 ms.
 *
 *   npm run sample:angular            # http://127.0.0.1:8080/
 *   PORT=0 npm run sample:angular     # any free port; the URL is printed
 */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { interval, map, takeUntil } from 'rxjs';
import { InvalidParamsError, stream, type JsonRpcConnection } from 'rxjs-jsonrpc';
import { serveWebSocket } from 'rxjs-jsonrpc/node';

/** A running sample server. */
export interface AngularSample {
  /** The page's URL, `http://127.0.0.1:port/`. */
  readonly url: string;
  readonly port: number;
  /** Closes every WebSocket (the pages start reconnecting) and stops listening. */
  close(): Promise<void>;
}

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

/**
 * Where the bundle finds the package's entries. An app of its own resolves `rxjs-jsonrpc`
 * from node_modules; this repository's samples use its sources, as tsconfig.json's `paths` do.
 */
const entries: Plugin = {
  name: 'rxjs-jsonrpc-entries',
  setup(bundler) {
    bundler.onResolve({ filter: /^rxjs-jsonrpc(\/(node|browser|angular))?$/ }, ({ path }) => {
      const entry = path === 'rxjs-jsonrpc' ? 'index' : path.slice('rxjs-jsonrpc/'.length);
      const file = entry === 'angular' ? 'angular/index.ts' : `${entry}.ts`;
      return { path: fileURLToPath(new URL(`../../lib/${file}`, import.meta.url)) };
    });
  },
};

/** The app (main.ts and everything it imports, Angular included) as one ES module. */
async function bundleApp(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('main.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    plugins: [entries],
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

/** Bundles the app, then serves it and JSON-RPC on `port` (0: a free one) of 127.0.0.1. */
export async function startAngularSample({ port = 8080 } = {}): Promise<AngularSample> {
  const [html, app] = await Promise.all([
    readFile(new URL('index.html', import.meta.url), 'utf8'),
    bundleApp(),
  ]);
  const http = createServer((request, response) => {
    if (request.url === '/' || request.url === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (request.url === '/main.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(app);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    }
  });
  // Upgrades on /rpc become JSON-RPC connections; the page's own origin is allowed by default.
  const rpc = await serveWebSocket(onConnection, { server: http, path: '/rpc' });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const listening = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${listening}/`,
    port: listening,
    close: async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await rpc.close(); // each WebSocket closes with 1001: the pages reconnect
      http.closeAllConnections();
      await stopped;
    },
  };
}

/** True when this file is the script being run (not imported by a spec). */
function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === fileURLToPath(import.meta.url);
}

if (isMain()) {
  const sample = await startAngularSample({ port: Number(process.env.PORT ?? 8080) });
  console.log(`Angular sample on ${sample.url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      sample.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('Angular sample: close failed:', error);
          process.exit(1);
        },
      );
    });
  }
}
