/**
 * The broker's node-redis clients: every one has an error listener (without one, a dropped
 * link is an uncaught 'error' event that ends the process), reconnects for ever, and queues
 * commands while it is offline instead of failing them after node-redis's default 5 s.
 * @module
 */
import { createClient, type RedisClientType } from '@redis/client';
import type { RedisTarget } from './options.js';

/** A node-redis client as `createClient()` makes it. */
export type RedisClient = RedisClientType;

/** The name each of the broker's clients gives itself (`CLIENT SETNAME`). */
export const REDIS_CLIENT_NAME = 'rxjs-jsonrpc-broker';

const MAX_RECONNECT_DELAY_MS = 1_000;

/** Waits before reconnect number `retries`: 50 ms doubling up to 1 s, plus up to 100 ms jitter. */
export function reconnectDelayMs(retries: number): number {
  const backoff = Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS);
  return backoff + Math.floor(Math.random() * 100);
}

/** Where `target` points, without credentials, for error messages. */
export function describeTarget(target: RedisTarget): string {
  if ('socket' in target) return target.socket.path;
  const url = new URL(target.url);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** A client for `target`, not yet connected. */
export function createRedisClient(target: RedisTarget): RedisClient {
  const socket = { reconnectStrategy: reconnectDelayMs };
  const client =
    'socket' in target
      ? createClient({
          name: REDIS_CLIENT_NAME,
          socket: { ...socket, path: target.socket.path },
          commandOptions: { timeout: 0 },
        })
      : createClient({
          name: REDIS_CLIENT_NAME,
          url: target.url,
          socket,
          commandOptions: { timeout: 0 },
        });
  // Link faults surface where they matter (a publish rejects); the client reconnects itself.
  client.on('error', () => {});
  return client;
}

/**
 * Connects `client`; once connected, it reconnects by itself whenever its link drops.
 * @returns rejects (and destroys the client) if the first attempt fails
 */
export function connectClient(client: RedisClient, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      client.off('error', fail);
      if (settled) return;
      settled = true;
      client.destroy();
      const reason = error instanceof Error ? error.message || error.name : String(error);
      reject(new Error(`Could not connect to Redis at ${where}: ${reason}`, { cause: error }));
    };
    client.on('error', fail);
    client.connect().then(() => {
      client.off('error', fail);
      settled = true;
      resolve();
    }, fail);
  });
}
