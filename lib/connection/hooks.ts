/**
 * The members of a connection that its own parts call back. Keyed by symbols that no entry
 * exports: they stay off the public API, and each part holds the connection itself rather
 * than a closure per callback (an idle connection stays small).
 * @module
 */
import type { JsonRpcNotification } from '../protocol/messages.js';
import type { ServedStreams } from '../streams/served.js';
import type { JsonRpcCloseEvent } from './lifecycle.js';

/** Writes one frame's text (nothing once closed or offline). */
export const WRITE: unique symbol = Symbol('write');
/** Offers a notification to the `observe$()` streams; true when one took it. */
export const CONSUME: unique symbol = Symbol('consume');
/** The transport ended (`'remote'`) or broke (`'error'`). */
export const END: unique symbol = Symbol('end');
/** The connection's server subscriptions, made on first use. */
export const STREAMS: unique symbol = Symbol('streams');

/** What the receiving side calls on its connection. */
export interface InboundHost {
  [WRITE](text: string): void;
  [CONSUME](notification: JsonRpcNotification): boolean;
  [END](event: JsonRpcCloseEvent): void;
}

/** What `serve()`'s port calls on its connection. */
export interface ServeHost {
  [STREAMS](): ServedStreams;
}
