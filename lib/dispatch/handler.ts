/**
 * The handler contract of `serve()`: what a method-table entry receives and may return.
 * @module
 */
import type { Observable } from 'rxjs';
import type { JsonRpcCall } from '../protocol/messages.js';
import type {
  JsonRpcAnyMethods,
  JsonRpcParamsOf,
  JsonRpcResultOf,
} from '../protocol/method-map.js';
import type { JsonRpcStream } from '../streams/stream.js';

/** What every handler and middleware receives beside the params. */
export interface JsonRpcHandlerContext<Connection = unknown> {
  /** The method called. */
  readonly method: string;
  /** The request or notification, as received. */
  readonly request: JsonRpcCall;
  /** True for a notification: the result goes nowhere. */
  readonly isNotification: boolean;
  /** Aborted when the peer cancels the request or the connection closes. */
  readonly signal: AbortSignal;
  /** The connection the call came in on: call the peer back through it. */
  readonly connection: Connection;
}

/**
 * A method implementation. Its result is a value, a Promise, or an Observable whose first
 * value is the result (an empty one answers `null`); `undefined` is sent as `null`. Throw a
 * `JsonRpcError` to answer with its code, message and data; anything else thrown is answered
 * -32603 "Internal error" with nothing from inside.
 */
export type JsonRpcHandler<Params = unknown, Result = unknown, Connection = unknown> = (
  params: Params,
  context: JsonRpcHandlerContext<Connection>,
) => Result | PromiseLike<Result> | Observable<Result>;

/**
 * A method table for `serve()`, typed by a method map: each entry a handler, or a stream made
 * by `stream()` (answering `name_subscribe` and `name_unsubscribe`).
 */
export type JsonRpcHandlers<Methods = JsonRpcAnyMethods, Connection = unknown> = {
  [M in keyof Methods]?:
    | JsonRpcHandler<JsonRpcParamsOf<Methods[M]>, JsonRpcResultOf<Methods[M]>, Connection>
    | JsonRpcStream<JsonRpcParamsOf<Methods[M]>, unknown, Connection>;
};

/**
 * Logic around every handler (authentication, logging, metrics). Call `next()` to run the
 * rest of the chain and the handler; what you return is the result; what you throw is the
 * error answered. Not calling `next()` skips the handler.
 *
 * @example
 * const timing: JsonRpcMiddleware = async (context, next) => {
 *   const start = performance.now();
 *   try { return await next(); } finally { record(context.method, performance.now() - start); }
 * };
 */
export type JsonRpcMiddleware<Connection = unknown> = (
  context: JsonRpcHandlerContext<Connection>,
  next: () => Promise<unknown>,
) => unknown;

/** The default of `serve()`'s `maxQueuedNotifications`. */
export const DEFAULT_MAX_QUEUED_NOTIFICATIONS = 10_000;

/** Options of `serve()`. */
export interface ServeOptions<Connection = unknown> {
  /**
   * Handlers in flight at once on this connection; further calls wait, in order. Waiting
   * requests count against the connection's `maxIncomingRequests`, waiting notifications
   * against `maxQueuedNotifications`; a request the peer cancels leaves the queue at once.
   * @default Infinity
   */
  concurrency?: number;
  /**
   * Notifications that may wait for a free handler slot (with `concurrency`); past it, a
   * notification is dropped. The connection's `onError` hears of the first drop, then of how
   * many followed once a notification is queued again.
   * @default 10000
   */
  maxQueuedNotifications?: number;
  /** Run around every handler, first to last (streams' subscribe and unsubscribe too). @default [] */
  middleware?: readonly JsonRpcMiddleware<Connection>[];
  /**
   * Live stream subscriptions on this connection; past it `_subscribe` is answered -32011
   * "Too many subscriptions" (`data: { maxSubscriptions }`).
   * @default 1000
   */
  maxSubscriptions?: number;
}
