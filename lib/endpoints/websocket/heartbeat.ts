/**
 * Pings sockets on an interval and drops the ones that stopped answering.
 * @module
 */
import WebSocket from 'ws';

/** Sockets pinged and not answered yet, of every server. */
const unanswered = new WeakSet<WebSocket>();

/** Shared by every socket (`this` is the socket): no closure per connection. */
function onPong(this: WebSocket): void {
  unanswered.delete(this);
}

/** One timer for all the sockets of a server. */
export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | undefined = undefined;

  /**
   * @param intervalMs - ping period; `0` turns the heartbeat off
   * @param sockets - the server's open sockets (`ws` removes each on close)
   */
  constructor(
    private readonly intervalMs: number,
    private readonly sockets: ReadonlySet<WebSocket>,
  ) {}

  /** Watches a socket until it closes. */
  watch(socket: WebSocket): void {
    if (this.intervalMs === 0) return;
    socket.on('pong', onPong);
    this.timer ??= setInterval(() => this.beat(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    if (this.sockets.size === 0) return this.stop();
    for (const socket of this.sockets) {
      if (unanswered.has(socket)) {
        socket.terminate();
      } else if (socket.readyState === WebSocket.OPEN) {
        unanswered.add(socket);
        socket.ping();
      }
    }
  }
}
