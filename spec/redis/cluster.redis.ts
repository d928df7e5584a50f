/**
 * Scale-out end to end: three server processes (each its own broker) × ten WebSocket clients
 * on one topic, a publisher publishing 20,000 values. Midway, every server's Redis links are
 * killed (CLIENT KILL) and one server process is killed and started again on its port, its
 * clients reconnecting with `resume: true`. Streams mode: every client gets all 20,000, in
 * order, none twice. Pub/Sub mode: in order, and received + dropped = 20,000.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { connectWebSocket, type JsonRpcConnection } from '../../lib/node.js';
import { createRedisBroker, type RedisBrokerMode } from '../../lib/redis/index.js';
import {
  blockedReads,
  clientList,
  eventually,
  startRedis,
  subscribers,
  type TestRedis,
} from '../helpers/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VALUES = 20_000;
const PROCESSES = 3;
const CLIENTS_PER_PROCESS = 10;

interface Server {
  child: ChildProcess;
  port: number;
}

/** Starts one server process; resolves once it prints its port. */
async function startServer(
  redis: TestRedis,
  mode: RedisBrokerMode,
  prefix: string,
  port = 0,
): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'spec/redis/cluster-server.ts',
      redis.socketPath,
      mode,
      prefix,
      String(port),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    for await (const line of lines) {
      const match = /^port (\d+)$/.exec(line);
      if (match) return { child, port: Number(match[1]) };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error('a server process ended before it listened');
}

async function stopServer(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill(signal);
  await exited;
}

/** One client: what it received, and the count the servers said it missed. */
interface Watcher {
  connection: JsonRpcConnection;
  subscription: Subscription;
  values: number[];
  dropped: number;
  errors: unknown[];
  states: string[];
}

describe('three server processes × ten clients through Redis', function () {
  this.timeout(120_000);
  let redis: TestRedis;

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  for (const mode of ['streams', 'pubsub'] as const) {
    it(`${mode}: survives killed Redis links and a killed process midway`, async () => {
      const prefix = `cluster-${mode}:`;
      const servers: Server[] = [];
      const watchers: Watcher[] = [];
      const publisher = await createRedisBroker({
        socket: { path: redis.socketPath },
        mode,
        prefix,
      });
      const spared = new Set((await clientList(redis)).map((client) => client.get('id')));
      try {
        for (let i = 0; i < PROCESSES; i++) servers.push(await startServer(redis, mode, prefix));
        for (const server of servers) {
          for (let i = 0; i < CLIENTS_PER_PROCESS; i++) {
            const connection = await connectWebSocket(`ws://127.0.0.1:${server.port}`, {
              reconnect: { attempts: 1_000, delayMs: 20, maxDelayMs: 200 },
            });
            const watcher: Watcher = {
              connection,
              values: [],
              dropped: 0,
              errors: [],
              states: [],
              subscription: undefined!,
            };
            connection.state$.subscribe((state) => watcher.states.push(state));
            watcher.subscription = connection
              .observe$<number>('ticks', undefined, {
                resume: true,
                onDropped: (count) => (watcher.dropped += count),
              })
              .subscribe({
                next: (value) => watcher.values.push(value),
                error: (error: unknown) => watcher.errors.push(error),
              });
            watchers.push(watcher);
          }
        }
        // Every process reads the topic before anything is published.
        await eventually('a reader per process', async () =>
          mode === 'streams'
            ? (await blockedReads(redis)) === PROCESSES
            : (await subscribers(redis, `${prefix}channel:ticks`)) === PROCESSES,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));

        for (let n = 1; n <= VALUES; n += 200) {
          const batch: Promise<string>[] = [];
          for (let k = n; k < n + 200 && k <= VALUES; k++)
            batch.push(publisher.publish('ticks', k));
          await Promise.all(batch);
          if (n === 10_001) {
            // Midway: the servers' Redis links die, and so does one server process.
            const doomed = (await clientList(redis)).filter(
              (client) => !spared.has(client.get('id')) && client.get('name') !== 'spec-cli',
            );
            for (const client of doomed) await redis.cli('CLIENT', 'KILL', 'ID', client.get('id')!);
            await stopServer(servers[1]!, 'SIGKILL');
            servers[1] = await startServer(redis, mode, prefix, servers[1]!.port);
          }
        }

        const complete = (w: Watcher): boolean =>
          mode === 'streams' ? w.values.length >= VALUES : w.values.at(-1) === VALUES;
        await eventually(
          'every client to get the last value',
          () => watchers.every(complete),
          60_000,
        );
        // The killed process's clients went through 'reconnecting' and resumed there.
        const moved = watchers.slice(CLIENTS_PER_PROCESS, 2 * CLIENTS_PER_PROCESS);
        for (const watcher of moved) expect(watcher.states).to.include('reconnecting');
        const missed = moved.reduce((sum, watcher) => sum + watcher.dropped, 0);
        if (mode === 'pubsub') {
          expect(missed, 'values published while they were away').to.be.greaterThan(0);
        }
        for (const [index, watcher] of watchers.entries()) {
          expect(watcher.errors, `client ${index}`).to.deep.equal([]);
          const inOrder = watcher.values.every(
            (value, i) => i === 0 || value > watcher.values[i - 1]!,
          );
          expect(inOrder, `client ${index}: in order, none twice`).to.equal(true);
          if (mode === 'streams') {
            expect(watcher.values.length, `client ${index}`).to.equal(VALUES);
            expect(watcher.dropped, `client ${index}`).to.equal(0);
          } else {
            expect(
              watcher.values.length + watcher.dropped,
              `client ${index}: received + dropped`,
            ).to.equal(VALUES);
          }
        }
      } finally {
        for (const watcher of watchers) {
          watcher.subscription.unsubscribe();
          await watcher.connection.close();
        }
        for (const server of servers) await stopServer(server);
        await publisher.close();
      }
    });
  }
});
