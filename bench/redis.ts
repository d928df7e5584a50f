/**
 * Scaling out through Redis: values per second from one publisher (this process, a broker)
 * through Redis to 3 server processes (each its own broker and `broker.stream()`) × 10
 * WebSocket clients, in streams mode and in pubsub mode, beside one process (this one)
 * fanning the same values out directly with `stream()` to 30 clients. The 30 clients run in a
 * crowd process of their own in every case; with pinning, the crowd has the second core and
 * everything else (publisher, Redis, servers) shares the first.
 *
 * As a child:
 * - `redis.ts server <socketPath> <streams|pubsub> <prefix>` prints `PORT <n>`; stdin's end
 *   stops it (its WebSocket server first, its broker after).
 * - `redis.ts crowd <url,url,…> <clientsPerUrl>` prints `READY` once every client is
 *   subscribed; on `ROUND <values>` it resets its counts and prints `ARMED`, then
 *   `DONE <ms> <received> <dropped>` once every client has had (received or dropped) that many
 *   values, timed from the first one (or after 15 s, whatever it has).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Subject } from 'rxjs';
import { connectWebSocket, serveWebSocket, stream } from '../dist/node.js';
import { createRedisBroker } from '../dist/redis/index.js';
import { startRedis, type LocalRedis } from '../samples/cluster/redis.js';
import { Child } from './child.js';
import { format, median, ratio } from './harness.js';

const PROCESSES = 3;
const CLIENTS_PER_PROCESS = 10;
const CLIENTS = PROCESSES * CLIENTS_PER_PROCESS;
const VALUES = 2_000;
const WARMUP = 500;
const ROUNDS = 3;
/** Values published per turn of the event loop (directly) or per awaited batch (Redis). */
const BURST = 100;
const ROUND_TIMEOUT_MS = 15_000;

interface Tick {
  i: number;
  at: number;
}

/** One way of getting values to the crowd: `publish(count)` sends that many. */
interface Fanout {
  /** Where the crowd's clients connect, `CLIENTS_PER_PROCESS` to each. */
  readonly urls: string[];
  publish(count: number): Promise<void>;
}

/** The baseline: this process serves `ticks` from a Subject, every client connected to it. */
async function direct(closers: Closers): Promise<Fanout> {
  const ticks = new Subject<Tick>();
  const server = await serveWebSocket(
    (connection) => connection.serve({ ticks: stream(() => ticks) }),
    { host: '127.0.0.1', port: 0, heartbeatMs: 0 },
  );
  closers.push(() => server.close());
  return {
    urls: Array.from({ length: PROCESSES }, () => server.url),
    publish: async (count) => {
      for (let i = 0; i < count; i++) {
        ticks.next({ i, at: Date.now() });
        if (i % BURST === BURST - 1) await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** A server process of this file (`server` mode), on the same core as this process. */
async function startServerProcess(
  socketPath: string,
  mode: 'streams' | 'pubsub',
  prefix: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/redis.ts', 'server', socketPath, mode, prefix],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('a bench server did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`a bench server exited with code ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('PORT ')) return;
      clearTimeout(timer);
      resolve(line.slice(5));
    });
  });
  return { url: `ws://127.0.0.1:${port}/`, child };
}

/** Things to stop at the end, whether the section succeeded or not; the last first. */
type Closers = (() => Promise<void>)[];

/** One publisher broker here, three server processes, each with its broker, on one Redis. */
async function throughRedis(
  redis: LocalRedis,
  mode: 'streams' | 'pubsub',
  closers: Closers,
): Promise<Fanout> {
  const prefix = `bench-${mode}:`;
  const starting = Array.from({ length: PROCESSES }, () =>
    startServerProcess(redis.socketPath, mode, prefix),
  );
  for (const server of starting) {
    closers.push(async () => {
      const { child } = await server;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    });
  }
  const servers = await Promise.all(starting);
  const publisher = await createRedisBroker({ socket: { path: redis.socketPath }, mode, prefix });
  closers.push(() => publisher.close());
  return {
    urls: servers.map((server) => server.url),
    publish: async (count) => {
      for (let i = 0; i < count; i += BURST) {
        const burst: Promise<string>[] = [];
        for (let j = i; j < Math.min(count, i + BURST); j++) {
          burst.push(publisher.publish('ticks', { i: j, at: Date.now() }));
        }
        await Promise.all(burst);
      }
    },
  };
}

/** A way of fanning out, with its crowd of clients subscribed and ready for rounds. */
interface Setup {
  readonly fanout: Fanout;
  readonly crowd: Child;
}

async function setUp(make: () => Promise<Fanout>, closers: Closers): Promise<Setup> {
  const fanout = await make();
  const crowd = Child.start('redis.ts', ['crowd', fanout.urls.join(','), `${CLIENTS_PER_PROCESS}`]);
  closers.push(() => crowd.stop());
  await crowd.expect('READY');
  return { fanout, crowd };
}

/** One round: `count` values published; values delivered per second and values dropped. */
async function round({ fanout, crowd }: Setup, count: number): Promise<[number, number]> {
  crowd.send(`ROUND ${count}`);
  await crowd.expect('ARMED');
  await fanout.publish(count);
  const [ms, received, dropped] = (await crowd.expect('DONE', ROUND_TIMEOUT_MS + 5_000))
    .split(' ')
    .map(Number) as [number, number, number];
  return [(received * 1000) / ms, dropped];
}

const SUBJECTS = ['one process, direct', 'Redis, streams mode', 'Redis, pubsub mode'] as const;

/**
 * Markdown lines: the table of the three subjects, or a line saying why nothing was measured
 * (no redis-server, or the broker failing), so that the rest of the benchmarks go on.
 */
export async function benchRedis(): Promise<string[]> {
  let redis: LocalRedis;
  try {
    redis = await startRedis();
  } catch (error) {
    return [`Not measured: ${error instanceof Error ? error.message : String(error)}.`];
  }
  const closers: Closers = [];
  try {
    // The three set up side by side; each one's processes are stopped at the end, even if
    // another failed to start.
    const settled = await Promise.allSettled([
      setUp(() => direct(closers), closers),
      setUp(() => throughRedis(redis, 'streams', closers), closers),
      setUp(() => throughRedis(redis, 'pubsub', closers), closers),
    ]);
    const setups = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    const rates: number[][] = SUBJECTS.map(() => []);
    const dropped = SUBJECTS.map(() => 0);
    await new Promise((resolve) => setTimeout(resolve, 200)); // every process's reader is live
    for (const setup of setups) await round(setup, WARMUP);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, setup] of setups.entries()) {
        const [rate, lost] = await round(setup, VALUES);
        rates[i]!.push(rate);
        dropped[i]! += lost;
      }
    }
    const baseline = median(rates[0]!);
    return [
      `| one publisher → ${CLIENTS} WebSocket clients | values/s (all clients) | values/s per client | ÷ direct | dropped |`,
      '|---|---:|---:|---:|---:|',
      ...SUBJECTS.map((name, i) => {
        const rate = median(rates[i]!);
        const how =
          i === 0
            ? `one process, \`stream()\` of a Subject → ${CLIENTS} clients`
            : `${name}: ${PROCESSES} processes × ${CLIENTS_PER_PROCESS} clients`;
        return `| ${how} | ${format(rate)} | ${format(rate / CLIENTS)} | ${ratio(rate, baseline)} | ${format(dropped[i]!)} of ${format(ROUNDS * VALUES * CLIENTS)} |`;
      }),
    ];
  } catch (error) {
    return [`Not measured: ${error instanceof Error ? error.message : String(error)}.`];
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await redis.stop();
  }
}

/** The child `server`: a broker and a WebSocket server serving `ticks` from it. */
async function serverProcess(socketPath: string, mode: string, prefix: string): Promise<void> {
  const broker = await createRedisBroker({
    socket: { path: socketPath },
    mode: mode === 'pubsub' ? 'pubsub' : 'streams',
    prefix,
  });
  const server = await serveWebSocket(
    (connection) => connection.serve({ ticks: broker.stream(() => 'ticks') }),
    { host: '127.0.0.1', port: 0, heartbeatMs: 0 },
  );
  console.log(`PORT ${server.port}`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server
      .close()
      .then(() => broker.close())
      .finally(() => process.exit(0));
  });
}

/** The child `crowd`: `perUrl` clients on each of `urls`, each observing `ticks`. */
async function crowdProcess(urls: string[], perUrl: number): Promise<void> {
  const connections = await Promise.all(
    urls.flatMap((url) => Array.from({ length: perUrl }, () => connectWebSocket(url))),
  );
  let expected = Infinity;
  let complete = 0;
  let firstAt = 0;
  let lastAt = 0;
  let received = 0;
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const counts = connections.map(() => 0);
  const done = (): void => {
    clearTimeout(timer);
    console.log(`DONE ${lastAt - firstAt} ${received} ${dropped}`);
    expected = Infinity;
  };
  const count = (client: number, values: number): void => {
    const now = performance.now();
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    const before = counts[client]!;
    counts[client] = before + values;
    if (before < expected && counts[client] >= expected && ++complete === connections.length) {
      done();
    }
  };
  const subscriptions = connections.map((connection, client) =>
    connection
      .observe$('ticks', undefined, {
        onDropped: (lost) => {
          dropped += lost;
          count(client, lost);
        },
      })
      .subscribe({
        next: () => {
          received++;
          count(client, 1);
        },
        error: (error: unknown) => console.error(`client ${client}: ${String(error)}`),
      }),
  );
  // A round trip each: every subscribe has been answered once these are.
  for (const connection of connections) await connection.request('ticks_unsubscribe', ['none']);
  console.log('READY');
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      const [command, values] = line.split(' ');
      if (command !== 'ROUND') return;
      expected = Number(values);
      complete = 0;
      firstAt = lastAt = received = dropped = 0;
      counts.fill(0);
      timer = setTimeout(done, ROUND_TIMEOUT_MS);
      console.log('ARMED');
    })
    .on('close', () => {
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      void Promise.all(connections.map((connection) => connection.close())).then(() =>
        process.exit(0),
      );
    });
}

const [role, ...args] = process.argv.slice(2);
if (process.argv[1]?.endsWith('bench/redis.ts')) {
  if (role === 'server') await serverProcess(args[0]!, args[1]!, args[2]!);
  else if (role === 'crowd') await crowdProcess(args[0]!.split(','), Number(args[1]));
}
