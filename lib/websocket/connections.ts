/**
 * The connections of a WebSocket server, as a read-only Set over the sockets `ws` tracks.
 * @module
 */
import type WebSocket from 'ws';

/**
 * A connection per open socket. `ws` adds each socket to its clients on upgrade and removes
 * it on close; this view maps them to their connections, so that no close listener per
 * connection is needed to keep the set current.
 */
export class ServerConnections<Connection extends object> implements ReadonlySet<Connection> {
  private readonly bySocket = new WeakMap<WebSocket, Connection>();
  private readonly socketOf = new WeakMap<Connection, WebSocket>();

  /** @param sockets - the server's open sockets (`WebSocketServer#clients`) */
  constructor(private readonly sockets: ReadonlySet<WebSocket>) {}

  /** Pairs a socket of `sockets` with its connection. */
  add(socket: WebSocket, connection: Connection): void {
    this.bySocket.set(socket, connection);
    this.socketOf.set(connection, socket);
  }

  /** Every socket of the server has its connection from the moment `ws` hands it over. */
  get size(): number {
    return this.sockets.size;
  }

  has(connection: Connection): boolean {
    const socket = this.socketOf.get(connection);
    return socket !== undefined && this.sockets.has(socket);
  }

  *values(): SetIterator<Connection> {
    for (const socket of this.sockets) {
      const connection = this.bySocket.get(socket);
      if (connection !== undefined) yield connection;
    }
  }

  keys(): SetIterator<Connection> {
    return this.values();
  }

  *entries(): SetIterator<[Connection, Connection]> {
    for (const connection of this.values()) yield [connection, connection];
  }

  forEach(
    callback: (value: Connection, key: Connection, set: ReadonlySet<Connection>) => void,
    thisArg?: unknown,
  ): void {
    for (const connection of this.values()) callback.call(thisArg, connection, connection, this);
  }

  [Symbol.iterator](): SetIterator<Connection> {
    return this.values();
  }
}
