/**
 * serveWebSocket: a JSON-RPC server over WebSocket (Node).
 * @module
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { JsonRpcConnection } from '../../connection/connection.js';
import type { JsonRpcAnyMethods } from '../../protocol/method-map.js';
import {
  JsonRpcConnectionType,
  resolveConnectionOptions,
  type JsonRpcConnectionOptions,
} from '../../connection/options.js';
import { count, timeoutOption } from '../../util/options.js';
import {
  resolveWebSocketLimits,
  WebSocketTransport,
  type WebSocketTransportOptions,
} from '../../transports/ws/transport.js';
import { listen, tcpAddressOf, urlOf } from '../listen.js';
import { ServerConnections } from './connections.js';
import { checkRequestOptions, pathOf } from '../request-checks.js';
import { checkHandshake, refuse, type HandshakeOptions } from './handshake.js';
import { Heartbeat } from './heartbeat.js';

/** Options of {@link serveWebSocket}. */
export interface ServeWebSocketOptions extends HandshakeOptions, WebSocketTransportOptions {
  /** Interface to listen on. Ignored with `server`. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; `0` picks a free one. Ignored with `server`. @default 0 */
  port?: number;
  /**
   * An existing HTTP(S) server to share: its upgrade requests on `path` are taken, the rest
   * are left to it, and `close()` does not close it. It need not listen yet: the handle's
   * `port` and `url` follow it (undefined while it does not listen).
   */
  server?: Server;
  /**
   * Only upgrades on this path are accepted (others: 404, or left to `server`'s other
   * listeners). @default undefined (any path)
   */
  path?: string;
  /**
   * Largest message accepted, in bytes; a larger one closes that connection with 1009.
   * @default 16_777_216 (16 MiB)
   */
  maxPayload?: number;
  /**
   * Ping every this many milliseconds; a peer that has not answered the previous ping is
   * dropped (its pending requests reject). `0` turns the heartbeat off. @default 30_000
   */
  heartbeatMs?: number;
  /** Options of each connection (its role is SERVER). */
  connection?: JsonRpcConnectionOptions;
  /** Errors thrown by `onConnection`. @default logs with console.error */
  onError?: (error: unknown) => void;
}

/**
 * A running server.
 * @typeParam Listening - `true` (the default) when `serveWebSocket` made its own HTTP server,
 *   so that `port` and `url` are always set; `false` for a shared `server`, which may not
 *   listen yet (or any more)
 */
export interface WebSocketServerHandle<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
  Listening extends boolean = true,
> {
  /**
   * The port listened on. For a shared `server`, read each time: the port it listens on now,
   * undefined while it does not (or listens on a pipe).
   */
  readonly port: Listening extends true ? number : number | undefined;
  /** `ws://host:port/path`, or undefined when `port` is. */
  readonly url: Listening extends true ? string : string | undefined;
  /** The open connections. */
  readonly connections: ReadonlySet<JsonRpcConnection<Remote, Local>>;
  /** Stops accepting, closes every connection with 1001, and settles everything. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
export const DEFAULT_HEARTBEAT_MS = 30_000;
const CLOSE_GRACE_MS = 2_000;

/**
 * Serves JSON-RPC over WebSocket: `onConnection` is called with each new connection and the
 * HTTP upgrade request. A handler that throws (or rejects) closes that connection with 1011
 * and nothing else. Without `server`, it listens on `host` and `port` and resolves once it does.
 *
 * @example
 * const server = await serveWebSocket((connection) => connection.serve({ ping: () => 'pong' }), { port: 8080 });
 * console.log(`listening on ${server.url}`);
 * @throws TypeError or RangeError for an invalid option (as a rejection)
 */
export function serveWebSocket<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  onConnection: (connection: JsonRpcConnection<Remote, Local>, request: IncomingMessage) => unknown,
  options?: ServeWebSocketOptions & { server?: undefined },
): Promise<WebSocketServerHandle<Remote, Local>>;
/**
 * Serves JSON-RPC over WebSocket on a shared HTTP(S) `server`, listening or not yet: the
 * handle's `port` and `url` are those it listens on when read (undefined while it does not).
 *
 * @example
 * const app = createServer(handleHttp);
 * const rpc = await serveWebSocket(onConnection, { server: app, path: '/rpc' });
 * app.listen(8080); // rpc.url: ws://…:8080/rpc from now on
 * @throws TypeError or RangeError for an invalid option (as a rejection)
 */
export function serveWebSocket<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  onConnection: (connection: JsonRpcConnection<Remote, Local>, request: IncomingMessage) => unknown,
  options?: ServeWebSocketOptions,
): Promise<WebSocketServerHandle<Remote, Local, false>>;
export async function serveWebSocket<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  onConnection: (connection: JsonRpcConnection<Remote, Local>, request: IncomingMessage) => unknown,
  options: ServeWebSocketOptions = {},
): Promise<WebSocketServerHandle<Remote, Local, boolean>> {
  if (typeof onConnection !== 'function') throw new TypeError('onConnection must be a function');
  checkRequestOptions(options);
  const maxPayload = count('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD);
  const heartbeatMs = timeoutOption('heartbeatMs', options.heartbeatMs, DEFAULT_HEARTBEAT_MS);
  const onError = options.onError ?? ((error: unknown) => console.error('rxjs-jsonrpc:', error));
  // Checked once here, shared by every connection, and accepting a socket cannot throw.
  const connectionOptions = resolveConnectionOptions(options.connection);
  const limits = resolveWebSocketLimits(options);
  const owned = options.server === undefined;
  const http =
    options.server ?? createServer((_request, response) => response.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const connections = new ServerConnections<JsonRpcConnection<Remote, Local>>(wss.clients);
  const heartbeat = new Heartbeat(heartbeatMs, wss.clients);

  const accept = (socket: WebSocket, request: IncomingMessage): void => {
    heartbeat.watch(socket);
    const transport = new WebSocketTransport(socket, limits);
    const connection = new JsonRpcConnection<Remote, Local>(
      transport,
      JsonRpcConnectionType.SERVER,
      connectionOptions,
    );
    connections.add(socket, connection);
    const fail = (error: unknown): void => {
      onError(error);
      socket.close(1011);
    };
    try {
      const value = onConnection(connection, request) as { then?: unknown } | undefined;
      if (typeof value?.then === 'function') (value as Promise<unknown>).catch(fail);
    } catch (error) {
      fail(error);
    }
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // On a shared server, another upgrade listener may own other paths; alone, refuse them.
    const elsewhere = options.path !== undefined && pathOf(request) !== options.path;
    if (elsewhere && !owned && http.listenerCount('upgrade') > 1) return;
    // Until ws takes the socket over; a shared function, so it holds on to nothing.
    socket.on('error', destroySocket);
    checkHandshake(request, options).then(
      (status) => {
        if (status !== undefined) return refuse(socket, status);
        wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off('error', destroySocket);
          accept(ws, request);
        });
      },
      () => refuse(socket, 500),
    );
  };
  http.on('upgrade', onUpgrade);
  if (owned) await listen(http, options.port ?? 0, options.host ?? '127.0.0.1');
  // An own server's address is kept (past close() too); a shared one may listen later,
  // elsewhere, or no more: its address is read each time.
  const ownAddress = owned ? tcpAddressOf(http) : undefined;
  const path = options.path ?? '/';

  return {
    get port() {
      return (ownAddress ?? tcpAddressOf(http))?.port;
    },
    get url() {
      const address = ownAddress ?? tcpAddressOf(http);
      return address && urlOf('ws', address, path);
    },
    connections,
    close: async () => {
      http.off('upgrade', onUpgrade);
      heartbeat.stop();
      await Promise.all([...wss.clients].map((socket) => closeSocket(socket, 1001)));
      if (owned) {
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      }
    },
  };
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Closes a socket with `code`; terminates it when the peer does not answer in time. */
function closeSocket(socket: WebSocket, code: number): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(code, 'Server shutting down');
  });
}
