/**
 * Options of remote Observables, both sides: defaults merged once, then validated loudly.
 * @module
 */
import { count, timeoutOption } from '../util/options.js';

/** The error codes of remote Observables (server-defined range of JSON-RPC 2.0). */
export const JsonRpcStreamErrorCode = {
  /** The client read too slowly: the subscription's queue overflowed (`data: { limit }`). */
  SubscriptionLagged: -32010,
  /** `_subscribe` past the connection's `maxSubscriptions` (`data: { maxSubscriptions }`). */
  TooManySubscriptions: -32011,
  /** A resume was asked of a stream that is not resumable (`data: { lastEventId }`). */
  CannotResume: -32012,
} as const;

/** What a full subscription queue does with one more value. */
export type StreamOverflow = 'error' | 'drop-oldest' | 'keep-latest';

/** The three method names of a remote Observable. */
export interface StreamMethodNames {
  /** The request that starts a subscription. @default `${name}_subscribe` */
  subscribe?: string;
  /** The request that ends one. @default `${name}_unsubscribe` */
  unsubscribe?: string;
  /** The notification carrying values and the end. @default `${name}_subscription` */
  notification?: string;
}

/** Options of a server stream, given to `stream()`. */
export interface StreamOptions<Value = unknown> extends StreamMethodNames {
  /**
   * Values a subscription may hold while its client reads too slowly (its transport is
   * congested).
   * @default 1000
   */
  maxQueue?: number;
  /**
   * What happens to values the client is too slow for: `'error'` ends the subscription with
   * -32010 "subscription lagged" (`data: { limit }`) once `maxQueue` values wait;
   * `'drop-oldest'` then drops the oldest waiting value; `'keep-latest'` keeps only the newest
   * value while the client is slow (for snapshots of a state). Dropped values are counted in
   * `dropped`, sent beside `result` on the next value.
   * @default 'error'
   */
  overflow?: StreamOverflow;
  /**
   * Send the terminal notification (`{ subscription, error }` or `{ subscription, complete:
   * true }`) when the Observable ends. `false` for clients that read every notification as a
   * value (Ethereum's).
   * @default true
   */
  terminal?: boolean;
  /**
   * Tags each value with an event id (sent as `eventId` beside `result`), which lets a client
   * resume after a reconnect: the factory then finds the last id it received in
   * `context.lastEventId`. Without it (nor `resumable`), a resume is answered -32012.
   * @default none (no resume)
   */
  eventId?: (value: Value) => string | number;
  /**
   * The stream resumes: its factory reads `context.lastEventId` and its values carry event ids
   * (through `eventId`, or `streamEvent()`). Without it, a resume is answered -32012.
   * @default true when `eventId` is given, else false
   */
  resumable?: boolean;
}

/** Stream options after defaults. */
export interface ResolvedStreamOptions {
  readonly maxQueue: number;
  readonly overflow: StreamOverflow;
  readonly terminal: boolean;
  readonly eventId: ((value: unknown) => string | number) | undefined;
  readonly resumable: boolean;
  readonly names: StreamMethodNames;
}

/** Options of `connection.observe$()`. */
export interface ObserveOptions extends StreamMethodNames {
  /**
   * On a reconnecting connection, subscribe again after each reconnect (`true`), or error
   * with `ConnectionClosedError` when the link is lost (`false`: for streams whose subscribe
   * has side effects).
   * @default true
   */
  resubscribe?: boolean;
  /**
   * On resubscribe, send the last event id received (as `params._meta.lastEventId`; needs
   * params by name or none) and drop a value repeating it.
   * @default false
   */
  resume?: boolean;
  /** Milliseconds to wait for the subscribe answer. @default the connection's `timeout` */
  timeout?: number;
  /** Called with the count of values the server dropped (its `overflow` policy). @default none */
  onDropped?: (dropped: number) => void;
}

/** Default of a stream's `maxQueue`: values held for a slow client. */
export const DEFAULT_MAX_QUEUE = 1000;
/** Default of `serve()`'s `maxSubscriptions`: live subscriptions per connection. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 1000;

const OVERFLOWS: readonly StreamOverflow[] = ['error', 'drop-oldest', 'keep-latest'];

/** The method names of a stream called `name`, overrides applied. */
export function methodNames(name: string, names: StreamMethodNames): Required<StreamMethodNames> {
  return {
    subscribe: names.subscribe ?? `${name}_subscribe`,
    unsubscribe: names.unsubscribe ?? `${name}_unsubscribe`,
    notification: names.notification ?? `${name}_subscription`,
  };
}

/**
 * @throws TypeError for a wrong type, RangeError for a value out of range
 */
export function resolveStreamOptions(options: StreamOptions<never> = {}): ResolvedStreamOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`stream() options must be an object, got ${String(options)}`);
  }
  const overflow = options.overflow ?? 'error';
  if (!OVERFLOWS.includes(overflow)) {
    throw new TypeError(
      `The "overflow" option must be 'error', 'drop-oldest' or 'keep-latest', got ${String(overflow)}`,
    );
  }
  if (options.eventId !== undefined && typeof options.eventId !== 'function') {
    throw new TypeError('The "eventId" option must be a function');
  }
  return {
    maxQueue: count('maxQueue', options.maxQueue, DEFAULT_MAX_QUEUE),
    overflow,
    terminal: flag('terminal', options.terminal, true),
    eventId: options.eventId as ResolvedStreamOptions['eventId'],
    resumable: flag('resumable', options.resumable, options.eventId !== undefined),
    names: checkNames(options),
  };
}

/** Observe options, checked; `timeout` resolved against the connection's. */
export function resolveObserveOptions(
  options: ObserveOptions = {},
): ObserveOptions & { resubscribe: boolean; resume: boolean } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`observe$() options must be an object, got ${String(options)}`);
  }
  if (options.onDropped !== undefined && typeof options.onDropped !== 'function') {
    throw new TypeError('The "onDropped" option must be a function');
  }
  if (options.timeout !== undefined) timeoutOption('timeout', options.timeout, 0);
  checkNames(options);
  return {
    ...options,
    resubscribe: flag('resubscribe', options.resubscribe, true),
    resume: flag('resume', options.resume, false),
  };
}

function checkNames(names: StreamMethodNames): StreamMethodNames {
  for (const key of ['subscribe', 'unsubscribe', 'notification'] as const) {
    const value = names[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`The "${key}" option must be a non-empty string, got ${String(value)}`);
    }
  }
  return {
    subscribe: names.subscribe,
    unsubscribe: names.unsubscribe,
    notification: names.notification,
  };
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`The "${name}" option must be a boolean, got ${String(value)}`);
  }
  return value;
}
