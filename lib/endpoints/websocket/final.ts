/**
 * Which ends of a WebSocket link a reconnecting client accepts as final.
 * @module
 */
import { FINAL_CLOSE_CODES } from '../../reconnect/policy.js';
import type { LinkEnd } from '../../reconnect/transport.js';
import { WebSocketConnectError } from './errors.js';

/**
 * True for an end that must not be retried: a handshake refused with HTTP 401 or 403, a
 * close code of {@link FINAL_CLOSE_CODES} (1002, 1003, 1008, 1009), or a peer too slow
 * (`SlowPeerError`). Anything else — a refused connection, a drop, 1001, 1006, 1012 — is
 * retried.
 */
export function isFinalWebSocketEnd(end: LinkEnd): boolean {
  const { error, transport } = end;
  if (error instanceof WebSocketConnectError) return error.status === 401 || error.status === 403;
  if (error instanceof Error && error.name === 'SlowPeerError') return true;
  const code = (transport as { closeInfo?: { code: number } } | undefined)?.closeInfo?.code;
  return code !== undefined && FINAL_CLOSE_CODES.has(code);
}
