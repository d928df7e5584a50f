/**
 * connectWebSocket over the browser's own WebSocket.
 * @module
 */
import { JsonRpcConnection } from '../connection/connection.js';
import type { JsonRpcAnyMethods } from '../protocol/method-map.js';
import {
  JsonRpcConnectionType,
  timeoutOption,
  type JsonRpcConnectionOptions,
} from '../connection/options.js';
import {
  BrowserWebSocketTransport,
  type BrowserWebSocketTransportOptions,
} from '../transports/browser-ws.js';
import { WebSocketConnectError } from './errors.js';

/** Options of the browser's {@link connectWebSocket}. */
export interface BrowserConnectWebSocketOptions extends BrowserWebSocketTransportOptions {
  /** This side's role. @default CLIENT */
  role?: JsonRpcConnectionType;
  /** Options of the connection. */
  connection?: JsonRpcConnectionOptions;
  /** Milliseconds the opening handshake may take. @default 10_000 */
  handshakeTimeoutMs?: number;
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
}

/**
 * Opens a browser WebSocket and resolves with a connection over it. Rejects with
 * {@link WebSocketConnectError} when the handshake fails or times out (browsers do not tell
 * a page why: a refused connection and a 401/403 look alike, close code 1006).
 *
 * @example
 * const connection = await connectWebSocket('wss://example.com/rpc');
 */
export function connectWebSocket<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  url: string,
  options: BrowserConnectWebSocketOptions = {},
): Promise<JsonRpcConnection<Remote, Local>> {
  const timeoutMs = timeoutOption('handshakeTimeoutMs', options.handshakeTimeoutMs, 10_000);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols);
    const done = (): void => {
      clearTimeout(timer);
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('close', onClose);
    };
    const onOpen = (): void => {
      done();
      const transport = new BrowserWebSocketTransport(socket, options);
      resolve(
        new JsonRpcConnection<Remote, Local>(
          transport,
          options.role ?? JsonRpcConnectionType.CLIENT,
          options.connection,
        ),
      );
    };
    const onClose = (event: CloseEvent): void => {
      done();
      reject(new WebSocketConnectError(url, `the handshake failed (close code ${event.code})`));
    };
    const timer = setTimeout(() => {
      done();
      socket.close();
      reject(
        new WebSocketConnectError(url, `no handshake within ${timeoutMs} ms`, { timeout: true }),
      );
    }, timeoutMs || 2_147_483_647);
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', onClose);
  });
}
