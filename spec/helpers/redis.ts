/**
 * A throwaway Redis for the redis specs: Debian's /usr/bin/redis-server as a child process on a
 * unix socket in a temporary directory (no TCP port, nothing saved to disk). `restart()` stops
 * it and starts it again on the same socket, empty; `cli()` sends one command on a client of
 * its own, closed before it resolves.
 */
import { createClient, type RedisClientType } from '@redis/client';
import type { Subscription } from 'rxjs';
import type { RedisBroker } from '../../lib/redis/index.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

const REDIS_SERVER = '/usr/bin/redis-server';
const READY_WITHIN_MS = 10_000;

/** The name of the client `cli()` uses, to tell it apart in `CLIENT LIST`. */
export const CLI_NAME = 'spec-cli';

export interface TestRedis {
  /** The unix socket: `createRedisBroker({ socket: { path: socketPath } })`. */
  readonly socketPath: string;
  /** `redis://127.0.0.1:<port>` when started with `tcp: true`; otherwise no TCP (`--port 0`). */
  readonly url: string | undefined;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server (keeping its directory) and starts it again on the same socket. */
  restart(): Promise<void>;
  /** Stops the server, keeping its directory, to `restart()` it later. */
  pause(): Promise<void>;
  /** Sends one command, e.g. `cli('PUBSUB', 'NUMSUB', channel)`, and resolves with the reply. */
  cli(...args: string[]): Promise<unknown>;
}

/**
 * Starts redis-server and resolves once it accepts connections.
 * @param options `tcp`: also listen on a free port of 127.0.0.1 (then `url` is set)
 * @throws Error when /usr/bin/redis-server is missing (never skipped), or it does not start
 */
export async function startRedis(options: { tcp?: boolean } = {}): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error('redis-server is missing: apt-get install -y redis-server');
  }
  const dir = await mkdtemp(join(tmpdir(), 'rxjs-jsonrpc-redis-'));
  const socketPath = join(dir, 'redis.sock');
  const port = options.tcp ? await freePort() : 0;
  const args = ['--port', String(port), '--bind', '127.0.0.1'];
  args.push('--unixsocket', socketPath, '--unixsocketperm', '700');
  args.push('--save', '', '--appendonly', 'no', '--dir', dir);
  let child: ChildProcess | undefined;
  const stopChild = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
    await rm(socketPath, { force: true });
  };
  const launch = async (): Promise<void> => {
    child = await spawnReady(args, socketPath);
  };
  try {
    await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    socketPath,
    url: port ? `redis://127.0.0.1:${port}` : undefined,
    async stop() {
      await stopChild();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild();
      await launch();
    },
    pause: stopChild,
    cli: (...command) => cli(socketPath, command),
  };
}

async function spawnReady(args: string[], socketPath: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `redis-server exited (${signal ?? code})`));
  // Its log line differs between versions: ask it instead.
  for (const deadline = Date.now() + READY_WITHIN_MS; ;) {
    if (exit) throw new Error(exit);
    try {
      await cli(socketPath, ['PING']);
      return child;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server: not ready within ${READY_WITHIN_MS} ms`, { cause: error });
      }
      await sleep(20);
    }
  }
}

async function cli(socketPath: string, command: string[]): Promise<unknown> {
  const client = createClient({
    name: CLI_NAME,
    socket: { path: socketPath, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.sendCommand(command);
  } finally {
    client.destroy();
  }
}

/** Polls `check` every 10 ms until it holds; fails with `what` after `withinMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  withinMs = 5_000,
): Promise<void> {
  for (const deadline = Date.now() + withinMs; !(await check());) {
    if (Date.now() > deadline) throw new Error(`Not within ${withinMs} ms: ${what}`);
    await sleep(10);
  }
}

/** The lines of `CLIENT LIST`, as field maps. */
export async function clientList(redis: TestRedis): Promise<Map<string, string>[]> {
  const list = String(await redis.cli('CLIENT', 'LIST'));
  return list
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(
      (line) => new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string])),
    );
}

/** How many clients are blocked in XREAD now. */
export async function blockedReads(redis: TestRedis): Promise<number> {
  const clients = await clientList(redis);
  return clients.filter((c) => c.get('cmd') === 'xread' && c.get('flags')?.includes('b')).length;
}

/** `PUBSUB NUMSUB channel`: how many clients subscribe to `channel`. */
export async function subscribers(redis: TestRedis, channel: string): Promise<number> {
  const reply = await redis.cli('PUBSUB', 'NUMSUB', channel);
  return Array.isArray(reply)
    ? Number(reply[1])
    : Number((reply as Record<string, unknown>)[channel]);
}

/** A client of the spec's own (named {@link CLI_NAME}, so `CLIENT KILL` spares it), connected. */
export async function outsider(redis: TestRedis): Promise<RedisClientType> {
  const client = createClient({
    name: CLI_NAME,
    socket: { path: redis.socketPath, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The commands the server runs from now on (`MONITOR`), until `stop()`. */
export interface Monitor {
  readonly lines: string[];
  stop(): void;
}

/** Starts watching every command the server runs. */
export async function monitor(redis: TestRedis): Promise<Monitor> {
  const client = createClient({
    name: CLI_NAME,
    socket: { path: redis.socketPath, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  const lines: string[] = [];
  await client.monitor((line) => lines.push(String(line)));
  return { lines, stop: () => client.destroy() };
}

/** What a suite's tests open, ended after each test by {@link redisSuite}. */
export interface RedisSuite {
  /** The suite's redis-server (set once `before` ran). */
  readonly redis: TestRedis;
  readonly brokers: RedisBroker[];
  readonly subscriptions: Subscription[];
}

/**
 * Starts redis-server for the calling suite and stops it after; after each test, ends its
 * subscriptions, closes its brokers, then runs `reset` (e.g. `FLUSHALL`).
 */
export function redisSuite(reset?: (redis: TestRedis) => Promise<unknown>): RedisSuite {
  const suite = {
    redis: undefined as unknown as TestRedis,
    brokers: [] as RedisBroker[],
    subscriptions: [] as Subscription[],
  };
  before(async () => {
    suite.redis = await startRedis();
  });
  after(async () => {
    await (suite.redis as TestRedis | undefined)?.stop();
  });
  afterEach(async () => {
    for (const subscription of suite.subscriptions.splice(0)) subscription.unsubscribe();
    await Promise.all(suite.brokers.splice(0).map((broker) => broker.close()));
    await reset?.(suite.redis);
  });
  return suite;
}
