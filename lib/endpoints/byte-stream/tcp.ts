/**
 * JSON-RPC over TCP: a server that makes a connection of every socket it accepts, and a
 * client. Content-Length or newline framing; Nagle's algorithm off.
 * @module
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { JsonRpcConnection } from '../../connection/connection.js';
import { JsonRpcConnectionType } from '../../connection/options.js';
import {
  connectStreams,
  splitStreamOptions,
  type SplitStreamOptions,
  type StreamConnectionOptions,
} from './connection.js';

/** Options of {@link serveTcp}: where to listen, the framing, limits, connection options. */
export interface ServeTcpOptions extends StreamConnectionOptions {
  /** The address to listen on. @default '127.0.0.1' */
  host?: string;
  /** The port to listen on; `0` picks a free one. @default 0 */
  port?: number;
}

/** Options of {@link connectTcp}. */
export interface ConnectTcpOptions extends StreamConnectionOptions {
  /** The server's address. @default '127.0.0.1' */
  host?: string;
}

/** A listening server, as {@link serveTcp} resolves it. */
export interface TcpServerHandle {
  /** The port listened on (the one picked, for port 0). */
  readonly port: number;
  readonly host: string;
  /** The underlying `net.Server`. */
  readonly server: Server;
  /** The connections open now. */
  readonly connections: ReadonlySet<JsonRpcConnection>;
  /**
   * Stops listening and closes every connection: each writes what it has queued, then its
   * socket is destroyed. Resolves once every socket has closed.
   */
  close(): Promise<void>;
}

/**
 * Listens for TCP connections; each accepted socket becomes a server-role connection
 * handed to `onConnection`. A throwing `onConnection` closes that connection and goes to
 * `onError`; so do server errors after listening.
 *
 * @returns resolves once listening; rejects if it cannot listen (port in use)
 * @throws TypeError or RangeError at once for an invalid option
 * @example
 * const server = await serveTcp((connection) => connection.serve({ ping: () => 'pong' }), {
 *   framing: 'content-length',
 *   port: 2087,
 * });
 * // …
 * await server.close();
 */
export function serveTcp(
  onConnection: (connection: JsonRpcConnection, socket: Socket) => void,
  options: ServeTcpOptions,
): Promise<TcpServerHandle> {
  if (typeof onConnection !== 'function') {
    throw new TypeError(`onConnection must be a function, got ${String(onConnection)}`);
  }
  const split = splitStreamOptions(options);
  const { host = '127.0.0.1', port = 0 } = options;
  checkAddress(host, port, 0);
  const open = new Map<Socket, JsonRpcConnection>();
  const server = createServer({ noDelay: true }, accept(onConnection, split, open));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject).on('error', split.onError);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        host,
        server,
        get connections() {
          return new Set(open.values());
        },
        close: () => closeServer(server, open),
      });
    });
  });
}

/** Makes a server-role connection of each accepted socket and hands it over. */
function accept(
  onConnection: (connection: JsonRpcConnection, socket: Socket) => void,
  split: SplitStreamOptions,
  open: Map<Socket, JsonRpcConnection>,
): (socket: Socket) => void {
  return (socket) => {
    const { connection } = connectStreams(socket, socket, split, JsonRpcConnectionType.SERVER);
    open.set(socket, connection);
    socket.once('close', () => open.delete(socket));
    try {
      onConnection(connection, socket);
    } catch (error) {
      split.onError(error);
      void connection.close();
    }
  };
}

function closeServer(server: Server, open: Map<Socket, JsonRpcConnection>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const [socket, connection] of open) {
    void connection.close();
    socket.destroySoon();
  }
  return closed;
}

/**
 * Connects to a JSON-RPC server over TCP: a client-role connection over the socket.
 *
 * @returns resolves once connected; rejects with the socket's error (ECONNREFUSED…)
 * @throws TypeError or RangeError at once for an invalid port or option
 * @example
 * const client = await connectTcp(2087, { framing: 'content-length', timeout: 5_000 });
 * console.log(await client.request('ping'));
 * await client.close();
 */
export function connectTcp(port: number, options: ConnectTcpOptions): Promise<JsonRpcConnection> {
  const split = splitStreamOptions(options);
  const { host = '127.0.0.1' } = options;
  checkAddress(host, port, 1);
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, noDelay: true });
    const onError = (error: Error): void => {
      socket.off('connect', onConnect);
      reject(error);
    };
    const onConnect = (): void => {
      socket.off('error', onError);
      resolve(connectStreams(socket, socket, split, JsonRpcConnectionType.CLIENT).connection);
    };
    socket.once('error', onError).once('connect', onConnect);
  });
}

function checkAddress(host: string, port: number, lowest: number): void {
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`The "host" option must be a non-empty string, got ${String(host)}`);
  }
  if (typeof port !== 'number' || Number.isNaN(port)) {
    throw new TypeError(`The port must be a number, got ${String(port)}`);
  }
  if (!Number.isInteger(port) || port < lowest || port > 65535) {
    throw new RangeError(`The port must be an integer from ${lowest} to 65535, got ${port}`);
  }
}
