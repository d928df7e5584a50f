/**
 * The live dashboard's server: the page (bundled by esbuild at start-up, uPlot from
 * node_modules) and JSON-RPC over WebSocket on /rpc, on one port of 127.0.0.1. It streams real
 * figures of its own process (`metrics`), burns CPU on demand (`work`), and answers a
 * type-ahead box slowly, as a real backend would (`search`), counting the searches the page
 * cancelled.
 *
 *   npm run sample:dashboard            # http://127.0.0.1:8080/
 *   PORT=0 npm run sample:dashboard     # any free port; the URL is printed
 */
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Observable } from 'rxjs';
import {
  InvalidParamsError,
  RequestCancelledError,
  stream,
  type JsonRpcConnection,
  type JsonRpcHandlerContext,
  type JsonRpcMiddleware,
} from 'rxjs-jsonrpc';
import { runAsScript, startPageServer, type PageServer } from '../page-server.js';

/** One sample of this process's figures, each over the period since the last. */
export interface Metrics {
  /** `Date.now()` when taken. */
  readonly t: number;
  /** CPU time used, in percent of one core. */
  readonly cpu: number;
  readonly heapUsed: number;
  readonly rss: number;
  /** Mean event-loop delay, in milliseconds. */
  readonly eventLoopDelayMs: number;
  /** JSON-RPC calls this process served per second. */
  readonly callsPerSecond: number;
}

/** What `search` answers. */
export interface SearchAnswer {
  readonly query: string;
  readonly results: string[];
  /** Searches this server saw cancelled so far (the page's overtaken ones). */
  readonly cancelled: number;
}

const DEFAULT_PERIOD_MS = 100;
/** How often the event-loop delay is sampled; each sample includes this interval. */
const DELAY_RESOLUTION_MS = 5;
const MAX_PERIOD_MS = 10_000;
const MAX_WORK_MS = 5_000;

/** Process-wide counters: every connection's calls and cancelled searches. */
const counters = { calls: 0, searchesCancelled: 0 };

const countCalls: JsonRpcMiddleware = (_context, next) => {
  counters.calls++;
  return next();
};

/** What each connection is served (exported for specs that skip the page). */
export function serveDashboard(connection: JsonRpcConnection): void {
  connection.serve(
    {
      // observe$('metrics', [periodMs]) on the page. A slow page gets the latest value, not a
      // growing queue: keep-latest drops the ones it had no time for (the page counts them).
      metrics: stream((params) => metrics$(periodOf(params)), { overflow: 'keep-latest' }),
      work,
      search,
      searchStats: () => ({ cancelled: counters.searchesCancelled }),
    },
    { middleware: [countCalls] },
  );
}

/** `[periodMs]`: an integer from 1 to 10,000; none means 100. */
function periodOf(params: unknown): number {
  if (params === undefined) return DEFAULT_PERIOD_MS;
  const periodMs: unknown = Array.isArray(params) ? params[0] : undefined;
  if (typeof periodMs !== 'number' || !Number.isInteger(periodMs)) {
    throw new InvalidParamsError('metrics takes [periodMs], an integer from 1 to 10000');
  }
  if (periodMs < 1 || periodMs > MAX_PERIOD_MS) {
    throw new InvalidParamsError('metrics takes [periodMs], an integer from 1 to 10000');
  }
  return periodMs;
}

/** This process's figures every `periodMs`, until unsubscribed. */
function metrics$(periodMs: number): Observable<Metrics> {
  return new Observable<Metrics>((subscriber) => {
    const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
    delay.enable();
    let since = { at: performance.now(), cpu: process.cpuUsage(), calls: counters.calls };
    // A period shorter than the sampling holds no sample: it repeats the last figure.
    let eventLoopDelayMs = 0;
    const timer = setInterval(() => {
      const at = performance.now();
      const elapsedMs = Math.max(at - since.at, 0.001);
      const cpu = process.cpuUsage(since.cpu);
      const memory = process.memoryUsage();
      if (delay.count > 0) {
        eventLoopDelayMs = Math.max(0, delay.mean / 1e6 - DELAY_RESOLUTION_MS);
        delay.reset();
      }
      subscriber.next({
        t: Date.now(),
        cpu: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
        heapUsed: memory.heapUsed,
        rss: memory.rss,
        eventLoopDelayMs,
        callsPerSecond: ((counters.calls - since.calls) * 1000) / elapsedMs,
      });
      since = { at, cpu: process.cpuUsage(), calls: counters.calls };
    }, periodMs);
    return () => {
      clearInterval(timer);
      delay.disable();
    };
  });
}

/** `{ ms }` (default 200, at most 5,000): burns CPU, in 10 ms slices so streams keep flowing. */
async function work(params: unknown, { signal }: JsonRpcHandlerContext): Promise<{ ms: number }> {
  const ms: unknown = (params as { ms?: unknown } | undefined)?.ms ?? 200;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_WORK_MS) {
    throw new InvalidParamsError('work takes { ms }, an integer from 1 to 5000');
  }
  const end = performance.now() + ms;
  while (performance.now() < end && !signal.aborted) {
    const slice = Math.min(end, performance.now() + 10);
    while (performance.now() < slice) {
      // Busy on purpose: this is the load the chart shows.
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { ms };
}

/**
 * `[query]`: the words containing it, after a backend delay of 400 ms to 2 s. A search the
 * page cancels (its `request$` unsubscribed: `$/cancelRequest`) aborts `signal`, is counted,
 * and gets no result; so is one whose connection is lost while it waits.
 */
async function search(params: unknown, { signal }: JsonRpcHandlerContext): Promise<SearchAnswer> {
  const query: unknown = Array.isArray(params) ? params[0] : undefined;
  if (typeof query !== 'string' || query.length > 100) {
    throw new InvalidParamsError('search takes [query], a string of at most 100 characters');
  }
  await new Promise<void>((resolve, reject) => {
    const cancelled = (): void => {
      clearTimeout(timer);
      counters.searchesCancelled++;
      reject(new RequestCancelledError());
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', cancelled);
        resolve();
      },
      400 + Math.random() * 1600,
    );
    if (signal.aborted) cancelled();
    else signal.addEventListener('abort', cancelled, { once: true });
  });
  const needle = query.trim().toLowerCase();
  const results = WORDS.filter((word) => word.toLowerCase().includes(needle)).slice(0, 8);
  return { query, results, cancelled: counters.searchesCancelled };
}

/** What the type-ahead searches. */
const WORDS = [
  'audit',
  'auditTime',
  'backoff',
  'batch',
  'buffer',
  'bufferTime',
  'cancel',
  'catchError',
  'combineLatest',
  'concat',
  'concatMap',
  'connection',
  'debounce',
  'debounceTime',
  'defer',
  'delay',
  'distinct',
  'distinctUntilChanged',
  'exhaustMap',
  'filter',
  'finalize',
  'first',
  'frame',
  'interval',
  'last',
  'map',
  'merge',
  'mergeMap',
  'notification',
  'observable',
  'observe',
  'operator',
  'pairwise',
  'reconnect',
  'reduce',
  'request',
  'resubscribe',
  'retry',
  'sample',
  'scan',
  'share',
  'shareReplay',
  'skip',
  'startWith',
  'stream',
  'subject',
  'subscribe',
  'subscription',
  'switchMap',
  'take',
  'takeUntil',
  'tap',
  'throttle',
  'throttleTime',
  'timeout',
  'timer',
  'transport',
  'unsubscribe',
  'websocket',
  'withLatestFrom',
  'zip',
];

/** Bundles the page, then serves it and JSON-RPC on `port` (0: a free one) of 127.0.0.1. */
export function startDashboard({ port = 8080 } = {}): Promise<PageServer> {
  const style = new URL('style.css', import.meta.url);
  return startPageServer({
    port,
    html: new URL('index.html', import.meta.url),
    script: new URL('page.ts', import.meta.url),
    files: {
      '/uPlot.min.css': [
        new URL('../../node_modules/uplot/dist/uPlot.min.css', import.meta.url),
        'text/css',
      ],
      ...(existsSync(style) ? { '/style.css': [style, 'text/css'] as const } : {}),
    },
    onConnection: serveDashboard,
  });
}

await runAsScript(
  import.meta.url,
  (port) => startDashboard({ port }),
  (url) => `dashboard on ${url}`,
);
