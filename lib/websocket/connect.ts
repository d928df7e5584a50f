/**
 * connectWebSocket: a JSON-RPC client over a `ws` WebSocket (Node).
 * @module
 */
import WebSocket from 'ws';
import { JsonRpcConnection } from '../connection/connection.js';
import type { JsonRpcAnyMethods } from '../protocol/method-map.js';
import { JsonRpcConnectionType, type JsonRpcConnectionOptions } from '../connection/options.js';
import { count, timeoutOption } from '../options.js';
import { resolveReconnect, type ReconnectOptions } from '../reconnect/policy.js';
import { ReconnectingTransport } from '../reconnect/transport.js';
import { WebSocketTransport, type WebSocketTransportOptions } from '../transports/ws.js';
import { WebSocketConnectError } from './errors.js';
import { isFinalWebSocketEnd } from './final.js';
import { DEFAULT_MAX_PAYLOAD } from './serve.js';

/** Options of {@link connectWebSocket} (Node). */
export interface ConnectWebSocketOptions extends WebSocketTransportOptions {
  /** This side's role. @default CLIENT */
  role?: JsonRpcConnectionType;
  /** Options of the connection. */
  connection?: JsonRpcConnectionOptions;
  /** Milliseconds the opening handshake may take. @default 10_000 */
  handshakeTimeoutMs?: number;
  /** Extra HTTP headers of the upgrade request (for example `Authorization`). */
  headers?: Record<string, string>;
  /** The `Origin` header to send, as a browser would. @default none */
  origin?: string;
  /** Largest message accepted, in bytes (1009 past it). @default 16_777_216 (16 MiB) */
  maxPayload?: number;
  /**
   * Reconnect when the link is lost after the first handshake (which is not retried): `true`
   * for the defaults, or `{ attempts, delayMs, maxDelayMs }`. Requests in flight then reject
   * with `ConnectionClosedError` and are never re-sent; `observe$()` streams subscribe again.
   * @default false
   */
  reconnect?: boolean | ReconnectOptions;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Opens a WebSocket and resolves with a connection over it once the handshake succeeds.
 * Rejects with {@link WebSocketConnectError} naming the cause: refused, an HTTP status such
 * as 401 or 403, or the handshake timeout. With `reconnect`, a lost link is opened again
 * (see `connection.state$`); a close by `close()`, a 401/403 handshake or a close code 1002,
 * 1003, 1008 or 1009 is final.
 *
 * @example
 * const connection = await connectWebSocket('ws://127.0.0.1:8080', { reconnect: true });
 * console.log(await connection.request('greet', ['Bob']));
 */
export async function connectWebSocket<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(url: string, options: ConnectWebSocketOptions = {}): Promise<JsonRpcConnection<Remote, Local>> {
  const reconnect = resolveReconnect(options.reconnect);
  const socket = await openSocket(url, options);
  const first = new WebSocketTransport(socket, options);
  const transport = reconnect
    ? new ReconnectingTransport(
        async (signal) => new WebSocketTransport(await openSocket(url, options, signal), options),
        { ...reconnect, initial: first, isFinal: isFinalWebSocketEnd },
      )
    : first;
  return new JsonRpcConnection<Remote, Local>(
    transport,
    options.role ?? JsonRpcConnectionType.CLIENT,
    options.connection,
  );
}

/** Opens one `ws` socket; settles on open, on the first failure, or when `signal` aborts. */
export function openSocket(
  url: string,
  options: ConnectWebSocketOptions,
  signal?: AbortSignal,
): Promise<WebSocket> {
  const timeoutMs = timeoutOption(
    'handshakeTimeoutMs',
    options.handshakeTimeoutMs,
    DEFAULT_HANDSHAKE_TIMEOUT_MS,
  );
  const maxPayload = count('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      maxPayload,
      headers: options.headers,
      origin: options.origin,
      perMessageDeflate: false,
    });
    const onAbort = (): void => fail(new WebSocketConnectError(url, 'aborted'));
    const fail = (error: WebSocketConnectError): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new WebSocketConnectError(url, `no handshake within ${timeoutMs} ms`, { timeout: true }),
        ),
      timeoutMs || 2_147_483_647,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      fail(new WebSocketConnectError(url, `the server answered HTTP ${status}`, { status }));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const what = error.code === 'ECONNREFUSED' ? 'connection refused' : error.message;
      fail(new WebSocketConnectError(url, what, { code: error.code, cause: error }));
    });
  });
}
