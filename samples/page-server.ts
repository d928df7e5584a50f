/**
 * What the browser samples share: one port of 127.0.0.1 serving a page, its script (bundled
 * by esbuild at start-up, in memory) and a few files, and JSON-RPC over WebSocket on /rpc.
 * Nothing comes from a CDN.
 */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { JsonRpcConnection } from 'rxjs-jsonrpc';
import { serveWebSocket } from 'rxjs-jsonrpc/node';

/** A running page server. */
export interface PageServer {
  /** The page's URL, `http://127.0.0.1:port/`. */
  readonly url: string;
  readonly port: number;
  /** Closes every WebSocket (with 1001: pages reconnect) and stops listening. */
  close(): Promise<void>;
}

export interface PageServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The page, served at `/`. */
  readonly html: URL;
  /** The page's script, bundled with everything it imports and served at `/main.js`. */
  readonly script: URL;
  /** Other files by path, e.g. `{ '/uPlot.min.css': [url, 'text/css'] }`. */
  readonly files?: Readonly<Record<string, readonly [file: URL, type: string]>>;
  /** Each JSON-RPC connection made on `/rpc`. */
  readonly onConnection: (connection: JsonRpcConnection) => void;
}

/**
 * Where a bundle finds the package's entries. An app of its own resolves `rxjs-jsonrpc` from
 * node_modules; this repository's samples use its sources, as tsconfig.json's `paths` do.
 */
const entries: Plugin = {
  name: 'rxjs-jsonrpc-entries',
  setup(bundler) {
    bundler.onResolve({ filter: /^rxjs-jsonrpc(\/(node|browser|angular))?$/ }, ({ path }) => {
      const entry = path === 'rxjs-jsonrpc' ? 'index' : path.slice('rxjs-jsonrpc/'.length);
      const file = entry === 'angular' ? 'angular/index.ts' : `${entry}.ts`;
      return { path: fileURLToPath(new URL(`../lib/${file}`, import.meta.url)) };
    });
  },
};

/** `script` and everything it imports as one ES module. */
async function bundle(script: URL): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(script)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    plugins: [entries],
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

/** Bundles the page's script, then serves the page and JSON-RPC on 127.0.0.1. */
export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const routes = new Map<string, readonly [body: string | Buffer, type: string]>();
  const [html, script] = await Promise.all([
    readFile(options.html, 'utf8'),
    bundle(options.script),
  ]);
  routes.set('/', [html, 'text/html; charset=utf-8']);
  routes.set('/index.html', [html, 'text/html; charset=utf-8']);
  routes.set('/main.js', [script, 'text/javascript; charset=utf-8']);
  for (const [path, [file, type]] of Object.entries(options.files ?? {})) {
    routes.set(path, [await readFile(file), type]);
  }
  const http = createServer((request, response) => {
    const route = routes.get(request.url ?? '');
    if (route) response.writeHead(200, { 'content-type': route[1] }).end(route[0]);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  });
  // Upgrades on /rpc become JSON-RPC connections; the page's own origin is allowed by default.
  const rpc = await serveWebSocket(options.onConnection, { server: http, path: '/rpc' });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await rpc.close(); // each WebSocket closes with 1001: the pages reconnect
      http.closeAllConnections();
      await stopped;
    },
  };
}

/**
 * Runs `start` when `moduleUrl` is the script being run (not imported by a spec): on PORT
 * (default 8080; 0 picks a free one), printing `announce(url)`, closing on SIGINT or SIGTERM.
 */
export async function runAsScript(
  moduleUrl: string,
  start: (port: number) => Promise<PageServer>,
  announce: (url: string) => string,
): Promise<void> {
  const script = process.argv[1];
  if (script === undefined || realpathSync(script) !== fileURLToPath(moduleUrl)) return;
  const server = await start(Number(process.env.PORT ?? 8080));
  console.log(announce(server.url));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('close failed:', error);
          process.exit(1);
        },
      );
    });
  }
}
