/**
 * When to reconnect: the options, their defaults, and exponential backoff with jitter.
 * @module
 */
import { count, timeoutOption } from '../util/options.js';

/** How a lost link is retried. */
export interface ReconnectOptions {
  /**
   * Failed attempts in a row before giving up (the connection then closes with the last
   * error); the count starts again after each successful reconnect. `Infinity` never gives up.
   * @default 10
   */
  attempts?: number;
  /** The wait before the first attempt, in milliseconds; it doubles after each failure. @default 500 */
  delayMs?: number;
  /** The longest wait between two attempts, in milliseconds. @default 30_000 */
  maxDelayMs?: number;
}

/** Reconnect options after defaults. */
export type ResolvedReconnectOptions = Required<ReconnectOptions>;

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: Readonly<ResolvedReconnectOptions> = Object.freeze({
  attempts: 10,
  delayMs: 500,
  maxDelayMs: 30_000,
});

/**
 * WebSocket close codes after which a client does not reconnect: a protocol error (1002), data
 * it cannot accept (1003), a policy violation (1008), a message too big (1009). Any other
 * close — 1000, 1001 (going away), 1006 (dropped), 1011, 1012 (restart) — is retried.
 */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([1002, 1003, 1008, 1009]);

/**
 * `true` (the defaults) or options merged with the defaults; undefined for `false` or none.
 * @throws TypeError or RangeError for an invalid option
 */
export function resolveReconnect(
  reconnect: boolean | ReconnectOptions | undefined,
): ResolvedReconnectOptions | undefined {
  if (reconnect === undefined || reconnect === false) return undefined;
  if (reconnect === true) return { ...DEFAULT_RECONNECT };
  if (typeof reconnect !== 'object' || reconnect === null) {
    throw new TypeError(
      `The "reconnect" option must be a boolean or an object, got ${String(reconnect)}`,
    );
  }
  const delayMs = timeoutOption('reconnect.delayMs', reconnect.delayMs, DEFAULT_RECONNECT.delayMs);
  const maxDelayMs = timeoutOption(
    'reconnect.maxDelayMs',
    reconnect.maxDelayMs,
    DEFAULT_RECONNECT.maxDelayMs,
  );
  if (maxDelayMs < delayMs) {
    throw new RangeError(
      `The "reconnect.maxDelayMs" option must be at least "reconnect.delayMs" (${delayMs}), got ${maxDelayMs}`,
    );
  }
  return {
    attempts: count('reconnect.attempts', reconnect.attempts, DEFAULT_RECONNECT.attempts),
    delayMs,
    maxDelayMs,
  };
}

/**
 * The wait before attempt `attempt` (1 for the first): a random time between half and all of
 * `min(maxDelayMs, delayMs × 2^(attempt − 1))`, so that clients dropped together do not
 * come back together.
 */
export function backoffDelay(
  attempt: number,
  options: ResolvedReconnectOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.delayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
