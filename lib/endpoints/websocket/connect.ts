/**
 * connectWebSocket: a JSON-RPC client over a `ws` WebSocket (Node).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { JsonRpcConnection } from '../../connection/connection.js';
import type { JsonRpcAnyMethods } from '../../protocol/method-map.js';
import type { JsonRpcConnectionOptions, JsonRpcConnectionType } from '../../connection/options.js';
import { count, timeoutOption } from '../../util/options.js';
import { resolveReconnect, type ReconnectOptions } from '../../reconnect/policy.js';
import {
  resolveWebSocketLimits,
  WebSocketTransport,
  type WebSocketLimits,
  type WebSocketTransportOptions,
} from '../../transports/ws/transport.js';
import { WebSocketConnectError } from './errors.js';
import { clientConnection, DEFAULT_HANDSHAKE_TIMEOUT_MS, handshakeDeadline } from './client.js';
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

/**
 * Opens a WebSocket and resolves with a connection over it once the handshake succeeds.
 * Rejects with {@link WebSocketConnectError} naming the cause: refused, an HTTP status such
 * as 401 or 403, or the handshake timeout. With `reconnect`, a lost link is opened again
 * (see `connection.state$`); a close by `close()`, a 401/403 handshake or a close code 1002,
 * 1003, 1008 or 1009 is final.
 *
 * What the server sends as the link opens (in its `onConnection`) is not lost: it is held
 * (up to about `highWaterMark` bytes, then the socket stops reading) and delivered on a later
 * turn of the event loop. Subscribers and `serve()` set up right after `await
 * connectWebSocket()` — or, after a reconnect, already in place — receive it.
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
  const opening = resolveOpening(options);
  const first = await openTransport(url, opening);
  const open = (signal: AbortSignal): Promise<WebSocketTransport> =>
    openTransport(url, opening, signal);
  return clientConnection<Remote, Local>(first, open, reconnect, options);
}

/** What opening a link needs, its options checked once for every link. */
interface Opening {
  readonly timeoutMs: number;
  readonly maxPayload: number;
  readonly headers: Record<string, string> | undefined;
  readonly origin: string | undefined;
  readonly limits: WebSocketLimits;
}

/**
 * Checks the options of opening a link, once for the first link and every reconnect.
 * @throws TypeError or RangeError for an invalid option
 */
function resolveOpening(options: ConnectWebSocketOptions): Opening {
  return {
    timeoutMs: timeoutOption(
      'handshakeTimeoutMs',
      options.handshakeTimeoutMs,
      DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ),
    maxPayload: count('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
    headers: options.headers,
    origin: options.origin,
    limits: resolveWebSocketLimits(options),
  };
}

/**
 * Opens one `ws` socket and makes its transport the moment it opens; settles on open, on the
 * first failure, or when `signal` aborts.
 */
function openTransport(
  url: string,
  opening: Opening,
  signal?: AbortSignal,
): Promise<WebSocketTransport> {
  const { timeoutMs, maxPayload, headers, origin, limits } = opening;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { maxPayload, headers, origin, perMessageDeflate: false });
    const settle = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('open', onOpen).off('unexpected-response', onResponse).off('error', onError);
    };
    const fail = (error: WebSocketConnectError): void => {
      settle();
      socket.on('error', ignore);
      socket.terminate();
      reject(error);
    };
    const onOpen = (): void => {
      // Made here, before ws reads the first frame (on the next tick), and before this
      // function's own listeners go: from now on every event of the socket has a listener.
      const transport = new WebSocketTransport(socket, limits);
      settle();
      resolve(transport);
    };
    const onResponse = (_request: unknown, response: IncomingMessage): void => {
      response.resume();
      const status = response.statusCode ?? 0;
      fail(new WebSocketConnectError(url, `the server answered HTTP ${status}`, { status }));
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      const what = error.code === 'ECONNREFUSED' ? 'connection refused' : error.message;
      fail(new WebSocketConnectError(url, what, { code: error.code, cause: error }));
    };
    const onAbort = (): void => fail(new WebSocketConnectError(url, 'aborted'));
    const timer = handshakeDeadline(url, timeoutMs, fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('open', onOpen);
    socket.once('unexpected-response', onResponse);
    socket.once('error', onError);
  });
}

/** Errors of a socket given up while opening: its failure is reported once, as the rejection. */
function ignore(): void {}
