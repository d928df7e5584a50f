/**
 * Remote Observables: a server streams readings with `stream()`; a reconnecting client reads
 * them with `observe$()` and pipes them through rxjs operators. Midway the server restarts on
 * the same port: the client's stream carries on by itself.
 *
 *   npx tsx samples/metrics-stream.ts
 */
import { bufferCount, interval, map, scan, take } from 'rxjs';
import {
  connectWebSocket,
  InvalidParamsError,
  serveWebSocket,
  stream,
  type WebSocketServerHandle,
} from 'rxjs-jsonrpc/node';

interface Reading {
  at: number;
  load: number;
}

/** `[periodMs]`, or none for 100: params come from the peer, so they are checked (-32602). */
function periodMsOf(params: unknown): number {
  if (params === undefined) return 100;
  const periodMs: unknown = Array.isArray(params) ? params[0] : undefined;
  if (typeof periodMs !== 'number' || !Number.isInteger(periodMs) || periodMs < 10) {
    throw new InvalidParamsError('Expected [periodMs], an integer of at least 10');
  }
  return periodMs;
}

/** The server: `metrics_subscribe [periodMs]` streams a reading every `periodMs`. */
function startServer(port = 0): Promise<WebSocketServerHandle> {
  return serveWebSocket(
    (connection) => {
      connection.serve({
        metrics: stream((params) =>
          interval(periodMsOf(params)).pipe(
            map((n): Reading => ({ at: Date.now(), load: 50 + 40 * Math.sin(n / 3) })),
          ),
        ),
      });
    },
    { port },
  );
}

let server = await startServer();
const connection = await connectWebSocket(server.url, {
  reconnect: { delayMs: 50, maxDelayMs: 500 },
});
connection.state$.subscribe((state) => console.log(`[connection ${state}]`));

// The client: a moving average over the last 4 readings, printed in groups of 3.
const done = new Promise<void>((resolve, reject) => {
  connection
    .observe$<Reading>('metrics', [50])
    .pipe(
      map((reading) => reading.load),
      scan((window: number[], load) => [...window.slice(-3), load], []),
      map((window) => window.reduce((sum, load) => sum + load, 0) / window.length),
      bufferCount(3),
      take(6),
    )
    .subscribe({
      next: (averages) => console.log('load:', averages.map((a) => a.toFixed(1)).join('  ')),
      error: reject,
      complete: resolve,
    });
});

// Restart the server on the same port while the client is reading.
const restarted = new Promise<void>((resolve, reject) => {
  setTimeout(() => {
    const { port } = server;
    server
      .close()
      .then(() => startServer(port))
      .then((next) => {
        server = next;
        console.log('[server restarted]');
        resolve();
      }, reject);
  }, 500);
});

await Promise.all([done, restarted]);
await connection.close();
await server.close();
