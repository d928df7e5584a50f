/**
 * Scaling out, in one terminal: a publisher, Redis, three server processes and one client per
 * process. The publisher puts a tick on the `ticks` topic every 100 ms; each server process
 * has its own broker and serves the topic as a resumable stream; each client observes it with
 * `resume: true`. After 3 s one server process is killed: its client reconnects to the next
 * process and carries on from its last tick. After 6 s everything stops and each client's
 * account is printed: in streams mode nothing lost and nothing repeated; in pubsub mode any
 * tick lost while it reconnected is reported as dropped, never silently.
 *
 *   npm run sample:cluster               # streams mode (MODE=streams)
 *   MODE=pubsub npm run sample:cluster   # pubsub mode
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Subscription } from 'rxjs';
import WebSocket from 'ws';
import {
  JsonRpcConnection,
  JsonRpcConnectionType,
  ReconnectingTransport,
  WebSocketTransport,
} from 'rxjs-jsonrpc/node';
import { createRedisBroker, type RedisBroker } from 'rxjs-jsonrpc/redis';
import { startRedis, type LocalRedis } from './redis.js';

const MODE = process.env.MODE === 'pubsub' ? 'pubsub' : 'streams';
const SERVER_SCRIPT = fileURLToPath(new URL('./server.ts', import.meta.url));
const NAMES = ['A', 'B', 'C'];
const TICK_MS = 100;
const KILL_AT_MS = 3_000;
const STOP_AT_MS = 6_000;

/** What the publisher puts on `ticks`: a counter and when it was published. */
interface Tick {
  n: number;
  at: number;
}

/** Wall-clock milliseconds with a fraction, comparable between the processes of one machine. */
const now = (): number => performance.timeOrigin + performance.now();
let t0 = now();
const log = (text: string): void => {
  console.log(`${((now() - t0) / 1000).toFixed(1).padStart(5)} s  ${text}`);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Server processes: samples/cluster/server.ts, each printing `port <n>` once it listens.

interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

async function startServer(name: string, socketPath: string): Promise<ServerProcess> {
  // The same Node options as this process (tsx's loader), so the child runs TypeScript too.
  const child = spawn(process.execPath, [...process.execArgv, SERVER_SCRIPT, socketPath, MODE], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server ${name} exited with code ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^port (\d+)$/.exec(line);
      if (match) resolve(match[1]!);
      else console.log(`[server ${name}] ${line}`);
    });
  });
  return { name, url: `ws://127.0.0.1:${port}/`, child };
}

/** Stops a server gracefully (SIGTERM: its WebSocket server first, its broker after). */
async function stopServer({ child }: ServerProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------------
// Clients: a connection whose links go to one process after the other, round the list.

/** Opens one WebSocket and resolves with its transport once it is open. */
function openWebSocket(url: string, signal: AbortSignal): Promise<WebSocketTransport> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const settle = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.off('open', onOpen).off('error', onError);
    };
    const onOpen = (): void => {
      settle();
      resolve(new WebSocketTransport(socket));
    };
    const onError = (error: Error): void => {
      settle();
      socket.on('error', () => undefined).terminate();
      reject(error);
    };
    const onAbort = (): void => onError(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('open', onOpen).once('error', onError);
  });
}

class Client {
  readonly connection: JsonRpcConnection;
  private readonly subscription: Subscription;
  /** The servers this client's links went to, in order. */
  readonly via: string[] = [];
  first: number | undefined = undefined;
  last = 0;
  received = 0;
  dropped = 0;
  /** Ticks that went missing without being reported as dropped: a broken guarantee. */
  silentlyLost = 0;
  repeated = 0;
  /** True from a reconnect to the first tick after it. */
  private relinked = false;
  /** Dropped ticks reported since the last tick received. */
  private droppedBeforeThis = 0;

  /** Client `index` opens its first link to server `index`, the next ones to the next. */
  constructor(
    readonly name: string,
    servers: readonly ServerProcess[],
    index: number,
  ) {
    let next = index;
    const transport = new ReconnectingTransport(
      async (signal) => {
        const server = servers[next++ % servers.length]!;
        const link = await openWebSocket(server.url, signal);
        this.via.push(server.name);
        this.relinked = this.via.length > 1;
        log(`client ${this.name} → server ${server.name}`);
        return link;
      },
      { attempts: 10, delayMs: 100, maxDelayMs: 1_000 },
    );
    this.connection = new JsonRpcConnection(transport, JsonRpcConnectionType.CLIENT);
    this.subscription = this.connection
      .observe$<Tick>('ticks', undefined, {
        resume: true, // on each new link, ask for the ticks after the last one received
        onDropped: (count) => {
          this.dropped += count;
          this.droppedBeforeThis += count;
          log(
            `client ${this.name}: ${count === 1 ? '1 tick' : `${count} ticks`} dropped (told by the server)`,
          );
        },
      })
      .subscribe({
        next: (tick) => this.take(tick),
        error: (error: unknown) => log(`client ${this.name}: stream error ${String(error)}`),
      });
  }

  private take(tick: Tick): void {
    this.received++;
    if (this.first === undefined) {
      this.first = tick.n;
    } else if (tick.n <= this.last) {
      this.repeated++;
      log(`client ${this.name}: tick ${tick.n} REPEATED`);
    } else {
      // The ticks skipped must be those just reported as dropped (onDropped comes first).
      const unreported = tick.n - this.last - 1 - this.droppedBeforeThis;
      if (unreported > 0) {
        this.silentlyLost += unreported;
        log(`client ${this.name}: ${unreported} tick(s) before tick ${tick.n} LOST SILENTLY`);
      }
    }
    if (this.relinked) {
      this.relinked = false;
      log(
        `client ${this.name} ← tick ${tick.n} via ${this.via.at(-1)}: resumed after tick ${this.last}`,
      );
    }
    this.droppedBeforeThis = 0;
    this.last = Math.max(this.last, tick.n);
    if (tick.n % 10 === 0) {
      const latency = (now() - tick.at).toFixed(1);
      log(
        `client ${this.name} ← tick ${tick.n} via ${this.via.at(-1)} (${latency} ms after publish)`,
      );
    }
  }

  /** Unsubscribes (the server is told), then closes the connection. */
  async close(): Promise<void> {
    this.subscription.unsubscribe();
    await this.connection.close();
  }

  /** One line: what this client received from its first tick to the last one published. */
  account(published: number): string {
    const from = this.first ?? published + 1;
    const expected = published - from + 1;
    const missing = expected - this.received - this.dropped;
    return (
      `client ${this.name}: ticks ${from}–${published}: ${this.received} received, ` +
      `${this.dropped} dropped, ${missing} missing, ${this.repeated} repeated; ` +
      `via ${this.via.join(' → ')}`
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The run.

let redis: LocalRedis | undefined;
const servers: ServerProcess[] = [];
const clients: Client[] = [];
let publisher: RedisBroker | undefined;
let timer: ReturnType<typeof setInterval> | undefined;

/** Stops everything that was started, in order: clients, servers, publisher, Redis. */
async function stopAll(): Promise<void> {
  clearInterval(timer);
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(servers.map(stopServer));
  await publisher?.close();
  await redis?.stop();
}
// Should this process die some other way, its children go with it.
process.once('exit', () => servers.forEach(({ child }) => child.kill('SIGKILL')));
process.once('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});

try {
  redis = await startRedis();
} catch (error) {
  console.error(String(error instanceof Error ? error.message : error));
  process.exit(1);
}

try {
  console.log(`cluster sample, ${MODE} mode; Redis on ${redis.socketPath}`);
  for (const name of NAMES) {
    const server = await startServer(name, redis.socketPath);
    servers.push(server);
    console.log(`server ${name}: ${server.url} (pid ${server.child.pid})`);
  }
  t0 = now();
  NAMES.forEach((name, index) => clients.push(new Client(String(index + 1), servers, index)));
  await sleep(500); // every client connected and subscribed before the first tick

  publisher = await createRedisBroker({ socket: { path: redis.socketPath }, mode: MODE });
  let published = 0;
  log(`publishing a tick to 'ticks' every ${TICK_MS} ms`);
  timer = setInterval(() => {
    const tick: Tick = { n: ++published, at: now() };
    // Ordered per broker; a rejection means this tick may or may not have been published.
    publisher!.publish('ticks', tick).catch((error: unknown) => {
      log(`publish of tick ${tick.n} failed: ${String(error)}`);
    });
  }, TICK_MS);

  await sleep(KILL_AT_MS);
  const [victim] = servers;
  log(`killing server ${victim!.name} (SIGKILL): client 1 must carry on through another one`);
  victim!.child.kill('SIGKILL');

  await sleep(STOP_AT_MS - KILL_AT_MS);
  clearInterval(timer);
  log(`stopped publishing after tick ${published}`);
  // Give the last ticks time to arrive everywhere (at most 2 s).
  for (let waited = 0; waited < 2_000; waited += 50) {
    if (clients.every((client) => client.last >= published)) break;
    await sleep(50);
  }

  console.log('');
  for (const client of clients) console.log(client.account(published));
  const broken = clients.some((client) => client.silentlyLost > 0 || client.repeated > 0);
  const lossless = clients.every((client) => client.dropped === 0);
  if (broken) {
    console.log('A tick was lost silently or repeated: that is a bug, please report it.');
    process.exitCode = 1;
  } else if (MODE === 'streams' && !lossless) {
    console.log('Streams mode dropped ticks: that is a bug, please report it.');
    process.exitCode = 1;
  } else {
    console.log(
      MODE === 'streams'
        ? 'Streams mode: every tick once, across the restart.'
        : 'Pubsub mode: ticks lost across the restart were reported as dropped; none silently.',
    );
  }
} finally {
  await stopAll();
}
