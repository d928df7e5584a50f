/**
 * The connections of a WebSocket server, as a read-only Set over the sockets `ws` tracks.
 * @module
 */
import WebSocket from 'ws';

/** What the view reads of a connection: whether it is over. */
interface Closable {
  readonly closed: boolean;
}

/**
 * The open connections, one per socket. `ws` adds each socket to its clients on upgrade and
 * removes it once closed; this view maps them to their connections, so that no close
 * listener per connection is needed to keep the set current. A connection is left out at
 * once when it is closed or its socket is closing — given up by this side (`close()`, a peer
 * too slow, a throwing `onConnection`, a missed heartbeat) or by the peer — although `ws`
 * keeps the socket until the closing handshake ends (up to 30 s for a peer that does not
 * answer).
 */
export class ServerConnections<Connection extends Closable> implements ReadonlySet<Connection> {
  private readonly bySocket = new WeakMap<WebSocket, Connection>();
  private readonly socketOf = new WeakMap<Connection, WebSocket>();

  /** @param sockets - the sockets `ws` tracks (`WebSocketServer#clients`), closing ones too */
  constructor(private readonly sockets: ReadonlySet<WebSocket>) {}

  /** Pairs a socket of `sockets` with its connection. */
  add(socket: WebSocket, connection: Connection): void {
    this.bySocket.set(socket, connection);
    this.socketOf.set(connection, socket);
  }

  /** Counted on each read, not taken from `ws`: its clients include closing sockets. */
  get size(): number {
    let size = 0;
    for (const socket of this.sockets) if (this.openOn(socket)) size++;
    return size;
  }

  has(connection: Connection): boolean {
    const socket = this.socketOf.get(connection);
    return socket !== undefined && this.sockets.has(socket) && this.openOn(socket);
  }

  *values(): SetIterator<Connection> {
    for (const socket of this.sockets) {
      if (this.openOn(socket)) yield this.bySocket.get(socket)!;
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

  /** True when the socket is open and its connection is not closed. */
  private openOn(socket: WebSocket): boolean {
    if (socket.readyState !== WebSocket.OPEN) return false;
    const connection = this.bySocket.get(socket);
    return connection !== undefined && !connection.closed;
  }
}
