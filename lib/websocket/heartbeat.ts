/**
 * Pings sockets on an interval and drops the ones that stopped answering.
 * @module
 */
import WebSocket from 'ws';

/** One timer for all the sockets of a server. */
export class Heartbeat {
  private readonly alive = new Map<WebSocket, boolean>();
  private timer: ReturnType<typeof setInterval> | undefined = undefined;

  /** @param intervalMs - ping period; `0` turns the heartbeat off */
  constructor(private readonly intervalMs: number) {}

  /** Watches a socket until it closes. */
  watch(socket: WebSocket): void {
    if (this.intervalMs === 0) return;
    this.alive.set(socket, true);
    socket.on('pong', () => this.alive.set(socket, true));
    socket.once('close', () => {
      this.alive.delete(socket);
      if (this.alive.size === 0) this.pause();
    });
    this.timer ??= setInterval(() => this.beat(), this.intervalMs);
  }

  stop(): void {
    this.pause();
    this.alive.clear();
  }

  private pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    for (const [socket, alive] of this.alive) {
      if (!alive) {
        socket.terminate();
        continue;
      }
      this.alive.set(socket, false);
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }
  }
}
