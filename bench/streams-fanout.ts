/**
 * Values per second from one server stream (`stream()`) to 100 WebSocket clients of ours
 * (`observe$()`), counted across all clients. The server runs here; the clients run in a child
 * process started from this same file, so each side has a process (and a core) of its own.
 *
 * As a child: `streams-fanout.ts <url> <clients> <values>` prints `READY` once every client
 * is subscribed, then `DONE <ms>` once every client has its values (timed from the first).
 */
import { Subject } from 'rxjs';
import { connectWebSocket, serveWebSocket, stream } from '../dist/node.js';
import { Child } from './child.js';
import { format, median } from './harness.js';

const CLIENTS = 100;
const VALUES = 2_000;
const ROUNDS = 3;
/** Values emitted per turn of the event loop: a producer that lets I/O run. */
const BURST = 100;

/** One round: the server here, the crowd in a child. Values delivered per second. */
async function round(): Promise<number> {
  const ticks = new Subject<{ i: number; at: number }>();
  const server = await serveWebSocket(
    (connection) => connection.serve({ ticks: stream(() => ticks) }),
    { heartbeatMs: 0 },
  );
  const crowd = Child.start('streams-fanout.ts', [server.url, String(CLIENTS), String(VALUES)]);
  try {
    await crowd.expect('READY');
    const subscribed = [...server.connections].reduce((n, c) => n + c.subscriptionCount, 0);
    if (subscribed !== CLIENTS) throw new Error(`${subscribed} subscriptions, not ${CLIENTS}`);
    for (let i = 0; i < VALUES; i++) {
      ticks.next({ i, at: Date.now() });
      if (i % BURST === BURST - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    const ms = Number(await crowd.expect('DONE'));
    return (CLIENTS * VALUES * 1000) / ms;
  } finally {
    await crowd.stop();
    await server.close();
  }
}

/** Markdown rows: one server stream to 100 WebSocket clients, ours, values per second. */
export async function benchFanout(): Promise<string[]> {
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await round());
  return [
    '| one server stream → 100 WebSocket clients | values/s (all clients) | values/s per client |',
    '|---|---:|---:|',
    `| rxjs-jsonrpc stream() → observe$() | ${format(median(rates))} | ${format(median(rates) / CLIENTS)} |`,
  ];
}

/** The child: `clients` connections, each observing `ticks` until it has `expected` values. */
async function crowd(url: string, clients: number, expected: number): Promise<void> {
  let complete = 0;
  let firstAt = 0;
  const connections = await Promise.all(
    Array.from({ length: clients }, () => connectWebSocket(url)),
  );
  let subscribed = 0;
  const subscriptions = connections.map((connection) => {
    let received = 0;
    return connection.observe$('ticks').subscribe({
      next: () => {
        if (firstAt === 0) firstAt = performance.now();
        if (++received === expected && ++complete === clients) {
          console.log(`DONE ${performance.now() - firstAt}`);
        }
      },
      error: (error: unknown) => console.error(`client: ${String(error)}`),
    });
  });
  // A round trip each: every subscribe has been answered once these are.
  for (const connection of connections) {
    await connection.request('ticks_unsubscribe', ['none']);
    subscribed++;
  }
  if (subscribed === clients) console.log('READY');
  process.stdin.resume();
  process.stdin.on('end', () => {
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    void Promise.all(connections.map((connection) => connection.close())).then(() =>
      process.exit(0),
    );
  });
}

const [url, clients, expected] = process.argv.slice(2);
if (process.argv[1]?.endsWith('streams-fanout.ts') && url) {
  await crowd(url, Number(clients), Number(expected));
}
