/**
 * What both `connectWebSocket()`s (Node's and the browser's) do once the first link is open:
 * a client connection over it that, with `reconnect`, opens the next links the same way.
 * @module
 */
import { JsonRpcConnection } from '../../connection/connection.js';
import { JsonRpcConnectionType, type JsonRpcConnectionOptions } from '../../connection/options.js';
import type { ResolvedReconnectOptions } from '../../reconnect/policy.js';
import { ReconnectingTransport } from '../../reconnect/transport.js';
import type { Transport } from '../../transports/transport.js';
import { WebSocketConnectError } from './errors.js';
import { isFinalWebSocketEnd } from './final.js';

/** The default of `handshakeTimeoutMs`: how long an opening handshake may take. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Fails an opening with "no handshake within N ms" once `timeoutMs` passes (0: never). */
export function handshakeDeadline(
  url: string,
  timeoutMs: number,
  fail: (error: WebSocketConnectError) => void,
): ReturnType<typeof setTimeout> {
  return setTimeout(
    () =>
      fail(
        new WebSocketConnectError(url, `no handshake within ${timeoutMs} ms`, { timeout: true }),
      ),
    timeoutMs || 2_147_483_647,
  );
}

/** The connection options both `connectWebSocket()`s take. */
interface ClientOptions {
  readonly role?: JsonRpcConnectionType;
  readonly connection?: JsonRpcConnectionOptions;
}

/**
 * A client connection over `first`; with `reconnect`, a lost link is replaced by `open()`
 * until the policy gives up or an end is final ({@link isFinalWebSocketEnd}).
 */
export function clientConnection<Remote extends object, Local extends object>(
  first: Transport,
  open: (signal: AbortSignal) => Promise<Transport>,
  reconnect: ResolvedReconnectOptions | undefined,
  options: ClientOptions,
): JsonRpcConnection<Remote, Local> {
  const transport = reconnect
    ? new ReconnectingTransport(open, {
        ...reconnect,
        initial: first,
        isFinal: isFinalWebSocketEnd,
      })
    : first;
  return new JsonRpcConnection<Remote, Local>(
    transport,
    options.role ?? JsonRpcConnectionType.CLIENT,
    options.connection,
  );
}
