/**
 * The handler contract: what a method-table entry receives and may return, and middleware.
 * @module
 */
import type { Observable } from 'rxjs';
import type { JsonRpcCall } from '../protocol/messages.js';

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
