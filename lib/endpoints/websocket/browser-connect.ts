/**
 * The browser's own WebSocket as a client: `connectWebSocket()`, which resolves once the first
 * link is open, and `reconnectingWebSocket()`, a transport made at once that opens its links
 * itself.
 * @module
 */
import type { JsonRpcConnection } from '../../connection/connection.js';
import type { JsonRpcAnyMethods } from '../../protocol/method-map.js';
import type { JsonRpcConnectionOptions, JsonRpcConnectionType } from '../../connection/options.js';
import { count, timeoutOption } from '../../util/options.js';
import { resolveReconnect, type ReconnectOptions } from '../../reconnect/policy.js';
import { ReconnectingTransport } from '../../reconnect/transport.js';
import {
  BrowserWebSocketTransport,
  type BrowserWebSocketTransportOptions,
} from '../../transports/browser-ws.js';
import { WebSocketConnectError } from './errors.js';
import { clientConnection, DEFAULT_HANDSHAKE_TIMEOUT_MS, handshakeDeadline } from './client.js';
import { isFinalWebSocketEnd } from './final.js';

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
  /**
   * Reconnect when the link is lost after the first handshake (which is not retried): `true`
   * for the defaults, or `{ attempts, delayMs, maxDelayMs }`. Browsers do not tell a page why
   * a handshake failed, so a 401/403 is retried like a refused connection, until `attempts`.
   * @default false
   */
  reconnect?: boolean | ReconnectOptions;
}

/**
 * Opens a browser WebSocket and resolves with a connection over it. Rejects with
 * {@link WebSocketConnectError} when the handshake fails or times out (browsers do not tell
 * a page why: a refused connection and a 401/403 look alike, close code 1006). With
 * `reconnect`, a lost link is opened again; `close()` and a close code 1002, 1003, 1008 or
 * 1009 are final.
 *
 * @throws TypeError or RangeError at once for an invalid option
 * @example
 * const connection = await connectWebSocket('wss://example.com/rpc', { reconnect: true });
 * connection.state$.subscribe((state) => banner.toggle(state === 'reconnecting'));
 */
export function connectWebSocket<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  url: string,
  options: BrowserConnectWebSocketOptions = {},
): Promise<JsonRpcConnection<Remote, Local>> {
  const timeoutMs = timeoutOption(
    'handshakeTimeoutMs',
    options.handshakeTimeoutMs,
    DEFAULT_HANDSHAKE_TIMEOUT_MS,
  );
  const reconnect = resolveReconnect(options.reconnect);
  const open = (signal?: AbortSignal): Promise<BrowserWebSocketTransport> =>
    openSocket(url, options, timeoutMs, signal).then(
      (socket) => new BrowserWebSocketTransport(socket, options),
    );
  return open().then((first) => clientConnection<Remote, Local>(first, open, reconnect, options));
}

/** Options of {@link reconnectingWebSocket}. */
export interface ReconnectingWebSocketOptions extends BrowserWebSocketTransportOptions {
  /** Milliseconds each opening handshake may take. @default 10_000 */
  handshakeTimeoutMs?: number;
  /** WebSocket subprotocols to offer. */
  protocols?: string | string[];
  /**
   * How a failed opening or a lost link is retried: `true` for the defaults, or `{ attempts,
   * delayMs, maxDelayMs }`. `false` opens one link and never another: a failed first opening
   * or a lost link ends the transport (and the connection over it) for good. A close code
   * 1002, 1003, 1008 or 1009 is always final.
   * @default true
   */
  reconnect?: boolean | ReconnectOptions;
}

/**
 * A transport of browser WebSocket links to `url`, made at once: the first link opens when a
 * connection subscribes (the connection is `'connecting'` meanwhile, and calls made then wait
 * for the link), the next ones after a loss, as `reconnect` says. Unlike
 * {@link connectWebSocket}, a failed first handshake is retried too. Every socket has an
 * `'error'` listener (the `ws` package, used as `globalThis.WebSocket` in Node, throws on an
 * unheard one).
 *
 * @throws TypeError or RangeError at once for an invalid option
 * @example
 * const connection = new JsonRpcConnection(reconnectingWebSocket('wss://example.com/rpc'));
 * connection.state$.subscribe(showState); // 'connecting', 'open', …
 */
export function reconnectingWebSocket(
  url: string,
  options: ReconnectingWebSocketOptions = {},
): ReconnectingTransport {
  if (typeof url !== 'string') {
    throw new TypeError(`The WebSocket URL must be a string, got ${typeof url}`);
  }
  const timeoutMs = timeoutOption(
    'handshakeTimeoutMs',
    options.handshakeTimeoutMs,
    DEFAULT_HANDSHAKE_TIMEOUT_MS,
  );
  count('highWaterMark', options.highWaterMark, 0);
  const reconnect = resolveReconnect(options.reconnect ?? true);
  const open = (signal: AbortSignal): Promise<BrowserWebSocketTransport> =>
    openSocket(url, options, timeoutMs, signal).then(
      (socket) => new BrowserWebSocketTransport(socket, options),
    );
  // Without reconnect every end is final: the first failed opening or lost link.
  const isFinal = reconnect ? isFinalWebSocketEnd : () => true;
  return new ReconnectingTransport(open, { ...reconnect, isFinal });
}

const ignore = (): void => undefined;

/** Opens one browser WebSocket; settles on open, on close, on timeout or when `signal` aborts. */
function openSocket(
  url: string,
  options: { protocols?: string | string[] },
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols);
    // An error is always followed by a close, which is what is handled.
    socket.addEventListener('error', ignore);
    const done = (): void => {
      clearTimeout(timer);
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: WebSocketConnectError): void => {
      done();
      socket.close();
      reject(error);
    };
    const onOpen = (): void => {
      done();
      resolve(socket);
    };
    const onClose = (event: CloseEvent): void =>
      fail(new WebSocketConnectError(url, `the handshake failed (close code ${event.code})`));
    const onAbort = (): void => fail(new WebSocketConnectError(url, 'aborted'));
    const timer = handshakeDeadline(url, timeoutMs, fail);
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
