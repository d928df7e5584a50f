/**
 * Options of `serve()`.
 * @module
 */
import type { JsonRpcMiddleware } from '../methods/handler.js';

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
