/**
 * Connection options: defaults merged once, then validated loudly.
 * @module
 */
import { DEFAULT_MAX_BATCH_SIZE } from '../protocol/decode.js';
import { count, shielded, timeoutOption } from '../util/options.js';
import type { JsonRpcCall } from '../protocol/messages.js';

/** The role of one side of a connection. Informational: any side may call the other. */
export const JsonRpcConnectionType = {
  CLIENT: 'client',
  SERVER: 'server',
  /** Both sides send requests (the default). */
  PEER: 'peer',
} as const;

/** One of `'client'`, `'server'` or `'peer'`. */
export type JsonRpcConnectionType =
  (typeof JsonRpcConnectionType)[keyof typeof JsonRpcConnectionType];

/** How requests are cancelled across the wire. */
export interface CancellationOptions {
  /**
   * The notification that cancels a request, both ways.
   * @default '$/cancelRequest'  (the LSP's; MCP uses 'notifications/cancelled')
   */
  method?: string;
  /**
   * The params member that carries the cancelled request's id.
   * @default 'id'  (MCP: 'requestId')
   */
  idField?: string;
  /**
   * Send the cancel notification when a request of ours is unsubscribed, aborted or times out.
   * @default true
   */
  send?: boolean;
  /**
   * Answer a request the peer cancelled with -32800; `false` answers nothing (MCP).
   * @default true
   */
  answer?: boolean;
}

/** Options of {@link JsonRpcConnection}. */
export interface JsonRpcConnectionOptions {
  /**
   * Requests of ours awaiting an answer; past it `request()` rejects with
   * `TooManyPendingRequestsError`. Guards against a runaway loop (about 300 bytes each).
   * @default 1_000_000
   */
  maxPendingRequests?: number;
  /**
   * Requests from the peer not yet answered; past it a request is answered at once with
   * -32000 "Too many concurrent requests" (`data: { maxIncomingRequests }`).
   * @default 100_000
   */
  maxIncomingRequests?: number;
  /**
   * Members of one incoming batch; past it each of its requests is answered -32600.
   * @default 1000
   */
  maxBatchSize?: number;
  /**
   * Default timeout of `request()`, in milliseconds; `0` waits for ever (until the answer,
   * a cancel or the connection's end). A call's own `timeout` overrides it.
   * @default 0
   */
  timeout?: number;
  /**
   * Cancellation across the wire, or `false` to neither send nor honour cancel notifications
   * (they then arrive as ordinary notifications).
   * @default { method: '$/cancelRequest', idField: 'id', send: true, answer: true }
   */
  cancellation?: CancellationOptions | false;
  /**
   * On a reconnecting transport, what a call made while the link is down does: `'wait'` for
   * the link (bounded by `maxWaitingCalls` and by the call's timeout), or `'reject'` at once
   * with `ConnectionClosedError`.
   * @default 'wait'
   */
  whileReconnecting?: 'wait' | 'reject';
  /**
   * Frames (requests, notifications, batches) that may wait for the link at once; past it a
   * call rejects with `ConnectionClosedError`.
   * @default 1000
   */
  maxWaitingCalls?: number;
  /**
   * Notifications held per notification method while an `observe$()` subscribe awaits its
   * answer (a server may send values before it); past it the oldest goes on to
   * `notifications$`.
   * @default 100
   */
  maxEarlyNotifications?: number;
  /**
   * Called with failures that do not reach the peer in full: a handler's exception answered
   * as -32603, a result JSON cannot carry, a subscriber that threw, a notification dropped by
   * a limit. If it throws itself, that is logged with console.error.
   * @default logs with console.error
   */
  onError?: (error: unknown, call?: JsonRpcCall) => void;
}

/** Options after defaults were applied. */
export interface ResolvedConnectionOptions {
  readonly maxPendingRequests: number;
  readonly maxIncomingRequests: number;
  readonly maxBatchSize: number;
  readonly timeoutMs: number;
  readonly cancellation: Required<CancellationOptions> | false;
  readonly whileReconnecting: 'wait' | 'reject';
  readonly maxWaitingCalls: number;
  readonly maxEarlyNotifications: number;
  readonly onError: (error: unknown, call?: JsonRpcCall) => void;
}

export const DEFAULT_MAX_PENDING_REQUESTS = 1_000_000;
export const DEFAULT_MAX_INCOMING_REQUESTS = 100_000;
export const DEFAULT_CANCEL_METHOD = '$/cancelRequest';
/** Default of `maxWaitingCalls`: frames waiting for a reconnecting link. */
export const DEFAULT_MAX_WAITING_CALLS = 1000;
/** Default of `maxEarlyNotifications`: notifications held per method for an unanswered subscribe. */
export const DEFAULT_MAX_EARLY_NOTIFICATIONS = 100;

function logError(error: unknown, call?: JsonRpcCall): void {
  console.error(`rxjs-jsonrpc: ${call ? `while handling '${call.method}': ` : ''}`, error);
}

/**
 * Applies defaults and validates.
 * @throws TypeError for a wrong type, RangeError for a value out of range
 */
export function resolveConnectionOptions(
  options?: JsonRpcConnectionOptions | ResolvedConnectionOptions,
): ResolvedConnectionOptions {
  // Connections without options share one resolved object; so do a server's connections.
  if (options === undefined) return (defaults ??= remember(resolveOptions({})));
  if (resolved.has(options)) return options as ResolvedConnectionOptions;
  return remember(resolveOptions(options));
}

let defaults: ResolvedConnectionOptions | undefined;
/** Objects this module made: passed again, they are taken as they are. */
const resolved = new WeakSet<object>();

function remember(options: ResolvedConnectionOptions): ResolvedConnectionOptions {
  resolved.add(Object.freeze(options));
  return options;
}

function resolveOptions(options: JsonRpcConnectionOptions): ResolvedConnectionOptions {
  const cancellation = options.cancellation ?? {};
  if (cancellation !== false && (typeof cancellation !== 'object' || cancellation === null)) {
    throw new TypeError(
      `The "cancellation" option must be an object or false, got ${String(cancellation)}`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('The "onError" option must be a function');
  }
  const whileReconnecting = options.whileReconnecting ?? 'wait';
  if (whileReconnecting !== 'wait' && whileReconnecting !== 'reject') {
    throw new TypeError(
      `The "whileReconnecting" option must be 'wait' or 'reject', got ${String(whileReconnecting)}`,
    );
  }
  return {
    maxPendingRequests: count(
      'maxPendingRequests',
      options.maxPendingRequests,
      DEFAULT_MAX_PENDING_REQUESTS,
    ),
    maxIncomingRequests: count(
      'maxIncomingRequests',
      options.maxIncomingRequests,
      DEFAULT_MAX_INCOMING_REQUESTS,
    ),
    maxBatchSize: count('maxBatchSize', options.maxBatchSize, DEFAULT_MAX_BATCH_SIZE),
    timeoutMs: timeoutOption('timeout', options.timeout, 0),
    cancellation: cancellation && {
      method: text('cancellation.method', cancellation.method, DEFAULT_CANCEL_METHOD),
      idField: text('cancellation.idField', cancellation.idField, 'id'),
      send: flag('cancellation.send', cancellation.send, true),
      answer: flag('cancellation.answer', cancellation.answer, true),
    },
    whileReconnecting,
    maxWaitingCalls: count('maxWaitingCalls', options.maxWaitingCalls, DEFAULT_MAX_WAITING_CALLS),
    maxEarlyNotifications: count(
      'maxEarlyNotifications',
      options.maxEarlyNotifications,
      DEFAULT_MAX_EARLY_NOTIFICATIONS,
    ),
    onError: options.onError ? shielded('onError', options.onError) : logError,
  };
}

function text(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`The "${name}" option must be a non-empty string, got ${String(value)}`);
  }
  return value;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`The "${name}" option must be a boolean, got ${String(value)}`);
  }
  return value;
}
