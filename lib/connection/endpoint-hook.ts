/**
 * The one way an endpoint reaches inside a connection: to reject a pending request with a
 * transport's own error (an HTTP answer that failed). Not exported by the entries.
 * @module
 */
import type { OutgoingCalls } from './outgoing.js';

type OutgoingOf = (connection: object) => OutgoingCalls;

/** Set once by JsonRpcConnection's class body, which alone may read its link. */
let outgoingOf: OutgoingOf | undefined;

/** Called by JsonRpcConnection's static block. */
export function exposeOutgoing(get: OutgoingOf): void {
  outgoingOf = get;
}

/**
 * Rejects one of the connection's pending requests with the error `reason` makes (made only
 * for a request still pending), the peer not told; false when it is not pending.
 */
export function failRequest(connection: object, id: number, reason: () => Error): boolean {
  return outgoingOf!(connection).fail(id, reason);
}
