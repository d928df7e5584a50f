/**
 * The options of `createRedisBroker()`: merged with their defaults once, validated loudly — a
 * TypeError for a wrong type or combination, a RangeError for a value out of range, each
 * naming the option and the value.
 * @module
 */

/** Where the broker's values travel: Redis streams (kept, resumable) or pub/sub (live only). */
export type RedisBrokerMode = 'streams' | 'pubsub';

/** The prefix of every key and channel the broker uses. */
export const DEFAULT_REDIS_PREFIX = 'rxjs-jsonrpc:';

/** Entries kept per topic in streams mode (approximately: `XADD … MAXLEN ~ n`). */
export const DEFAULT_REDIS_MAX_LEN = 100_000;

/** How long a publish may take before it rejects. */
export const DEFAULT_REDIS_PUBLISH_TIMEOUT_MS = 5_000;

const MAX_TIMEOUT_MS = 2_147_483_647;

/** Options of {@link createRedisBroker}: exactly one of `url` and `socket`. */
export interface RedisBrokerOptions {
  /** The server's `redis://` or `rediss://` URL (exclusive with `socket`). */
  url?: string;
  /** The server's unix socket (exclusive with `url`). */
  socket?: { path: string };
  /**
   * `'streams'`: each topic is a Redis stream, so subscribers can resume after an event id and
   * a dropped link loses nothing. `'pubsub'`: each topic is a channel, live values only.
   * @default 'streams'
   */
  mode?: RedisBrokerMode;
  /** Prepended to every key and channel: `${prefix}stream:${topic}`, `${prefix}seq:${topic}`, `${prefix}channel:${topic}`. @default 'rxjs-jsonrpc:' */
  prefix?: string;
  /** Streams mode: entries kept per topic, trimmed approximately (`MAXLEN ~`), a positive integer. @default 100000 */
  maxLen?: number;
  /** A publish not answered within this many milliseconds rejects (1 to 2147483647). @default 5000 */
  publishTimeoutMs?: number;
}

/** Where to reach Redis, as node-redis takes it. */
export type RedisTarget = { readonly url: string } | { readonly socket: { readonly path: string } };

/** The options with their defaults, validated. */
export interface ResolvedRedisBrokerOptions {
  readonly target: RedisTarget;
  readonly mode: RedisBrokerMode;
  readonly prefix: string;
  readonly maxLen: number;
  readonly publishTimeoutMs: number;
}

/**
 * Merges `options` with the defaults and validates them.
 * @throws TypeError for a wrong type or a wrong combination of `url` and `socket`, RangeError
 *   for an unknown `mode`, a `maxLen` or `publishTimeoutMs` out of range
 */
export function resolveRedisBrokerOptions(options: RedisBrokerOptions): ResolvedRedisBrokerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`The options must be an object, got ${String(options)}`);
  }
  const mode: unknown = options.mode === undefined ? 'streams' : options.mode;
  const prefix: unknown = options.prefix === undefined ? DEFAULT_REDIS_PREFIX : options.prefix;
  if (typeof mode !== 'string') {
    throw new TypeError(`The "mode" option must be a string, got ${String(mode)}`);
  }
  if (mode !== 'streams' && mode !== 'pubsub') {
    throw new RangeError(`The "mode" option must be 'streams' or 'pubsub', got '${String(mode)}'`);
  }
  if (typeof prefix !== 'string') {
    throw new TypeError(`The "prefix" option must be a string, got ${String(prefix)}`);
  }
  return {
    target: target(options),
    mode,
    prefix,
    maxLen: maxLen(options.maxLen),
    publishTimeoutMs: publishTimeoutMs(options.publishTimeoutMs),
  };
}

function target({ url, socket }: RedisBrokerOptions): RedisTarget {
  if (url !== undefined && socket !== undefined) {
    throw new TypeError('The "url" and "socket" options are exclusive: give one of them');
  }
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^rediss?:\/\/./.test(url) || !URL.canParse(url)) {
      throw new TypeError(
        `The "url" option must be a redis:// or rediss:// URL, got ${String(url)}`,
      );
    }
    return { url };
  }
  if (socket === undefined) {
    throw new TypeError('One of the "url" and "socket" options is required');
  }
  const path: unknown = typeof socket === 'object' && socket !== null ? socket.path : undefined;
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`The "socket.path" option must be a non-empty string, got ${String(path)}`);
  }
  return { socket: { path } };
}

function maxLen(value: number | undefined): number {
  if (value === undefined) return DEFAULT_REDIS_MAX_LEN;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`The "maxLen" option must be a number, got ${String(value)}`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`The "maxLen" option must be a positive integer, got ${value}`);
  }
  return value;
}

function publishTimeoutMs(value: number | undefined): number {
  if (value === undefined) return DEFAULT_REDIS_PUBLISH_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`The "publishTimeoutMs" option must be a number, got ${String(value)}`);
  }
  if (!(value >= 1 && value <= MAX_TIMEOUT_MS)) {
    throw new RangeError(
      `The "publishTimeoutMs" option must be between 1 and ${MAX_TIMEOUT_MS} milliseconds, got ${value}`,
    );
  }
  return value;
}
