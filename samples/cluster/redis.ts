/**
 * A throwaway Redis for the cluster sample: Debian's redis-server as a child process, on a
 * unix socket in a temporary directory, saving nothing to disk. Stopping it removes the
 * directory.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface LocalRedis {
  /** The unix socket to give `createRedisBroker({ socket: { path } })`. */
  readonly socketPath: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server and resolves once it accepts connections.
 * @throws Error when /usr/bin/redis-server is missing, or it does not start within 10 s
 */
export async function startRedis(): Promise<LocalRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} is missing: apt-get install -y redis-server`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'rxjs-jsonrpc-cluster-'));
  const socketPath = join(dir, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socketPath, '--unixsocketperm', '700'];
  args.push('--save', '', '--appendonly', 'no', '--dir', dir);
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('redis-server: not ready within 10 s')),
      10_000,
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
    // Its log goes on being read (and ignored) after this line.
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!/ready to accept connections/i.test(line)) return;
      clearTimeout(timer);
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { socketPath, stop };
}
