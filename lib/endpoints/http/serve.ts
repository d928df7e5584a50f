/**
 * serveHttp: a JSON-RPC server over HTTP POST on a server of its own (Node).
 * @module
 */
import { createServer } from 'node:http';
import type { JsonRpcConnection } from '../../connection/connection.js';
import type { JsonRpcAnyMethods } from '../../protocol/method-map.js';
import { listen, tcpAddressOf, urlOf } from '../listen.js';
import { createHttpHandler, type HttpConnectionHandler } from './handler.js';
import type { HttpHandlerOptions } from './options.js';

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions extends HttpHandlerOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; `0` picks a free one. @default 0 */
  port?: number;
}

/** A running HTTP server. */
export interface HttpServerHandle {
  /** The port listened on. */
  readonly port: number;
  /** `http://host:port` and the `path` option (default `/`): where clients POST. */
  readonly url: string;
  /**
   * Stops listening, closes the connections of the POSTs in flight (their handlers' signals
   * abort) and drops every HTTP connection.
   */
  close(): Promise<void>;
}

/**
 * Serves JSON-RPC over HTTP POST on its own server, listening on `host` and `port`: each POST
 * to `path` (any path without one) is a connection handed to `onConnection`, as with
 * {@link createHttpHandler}; other paths get 404.
 *
 * @example
 * const methods = { add: ([a, b]: [number, number]) => a + b };
 * const server = await serveHttp((connection) => connection.serve(methods), { port: 8545 });
 * console.log(`POST to ${server.url}`);
 * @throws TypeError or RangeError for an invalid option (as a rejection)
 */
export async function serveHttp<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  onConnection: HttpConnectionHandler<Remote, Local>,
  options: ServeHttpOptions = {},
): Promise<HttpServerHandle> {
  const live = new Set<JsonRpcConnection<Remote, Local>>();
  const handler = createHttpHandler<Remote, Local>((connection, request) => {
    live.add(connection);
    connection.closed$.subscribe(() => live.delete(connection));
    return onConnection(connection, request);
  }, options);
  const server = createServer((request, response) => handler(request, response));
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = tcpAddressOf(server)!;
  const url = urlOf('http', address, options.path ?? '/');
  return {
    port: address.port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const connection of live) void connection.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
