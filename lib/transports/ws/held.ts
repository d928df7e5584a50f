/**
 * The frames a `ws` WebSocket transport received before its subscriber could take them, and
 * how the socket ended meanwhile. Made on first need: a transport subscribed before its
 * socket says anything never has one.
 * @module
 */
import WebSocket from 'ws';
import { sizeOf, type Frame } from './frames.js';

/** How the socket ended: with an error, or closed (`error` undefined). */
export interface SocketEnd {
  readonly error?: Error;
}

/** Frames held for a subscriber, in arrival order, then the socket's end (if it came). */
export class HeldFrames {
  readonly frames: Frame[] = [];
  /** The first end seen; later ones (ws emits `close` after `error`) change nothing. */
  end: SocketEnd | undefined = undefined;
  private bytes = 0;
  /** Holding stopped the socket's reading, and must start it again. */
  private paused = false;
  private delivery: ReturnType<typeof setImmediate> | undefined = undefined;

  constructor(
    private readonly socket: WebSocket,
    /** Bytes held past which the socket stops reading: the transport's `highWaterMark`. */
    private readonly highWaterMark: number,
  ) {}

  /**
   * Holds a frame. Past `highWaterMark` bytes the socket stops reading, so that TCP holds the
   * peer back rather than this process; frames ws had already read still arrive and are kept.
   */
  push(frame: Frame): void {
    this.frames.push(frame);
    this.bytes += sizeOf(frame);
    const { socket } = this;
    if (this.bytes >= this.highWaterMark && !this.paused && !socket.isPaused) {
      this.paused = socket.readyState === WebSocket.OPEN;
      socket.pause();
    }
  }

  /**
   * Calls `deliver` on a later turn of the event loop (once). A subscriber made while a
   * connection is being resolved — `connectWebSocket` — is followed, in a microtask of this
   * turn, by the caller's own code subscribing to notifications and serving methods: a later
   * turn reaches them too.
   */
  schedule(deliver: () => void): void {
    this.delivery ??= setImmediate(deliver);
  }

  /** Holds nothing more: no delivery pending, and the socket reads again if holding stopped it. */
  release(): void {
    clearImmediate(this.delivery);
    this.delivery = undefined;
    if (this.paused) this.socket.resume();
    this.paused = false;
  }
}
