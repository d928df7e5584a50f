/**
 * A transport over one `ws` WebSocket (Node).
 * @module
 */
import type { Observable } from 'rxjs';
import WebSocket from 'ws';
import type { Transport } from '../transport.js';
import { SendBacklog } from './backlog.js';
import { corkableOf, sendText, sizeOf, type Frame } from './frames.js';
import { resolveWebSocketLimits, SlowPeerError, type WebSocketTransportOptions } from './limits.js';
import { keepQuiet, WebSocketReceiver } from './receiver.js';

export {
  SlowPeerError,
  DEFAULT_FRAMES_PER_WRITE,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  resolveWebSocketLimits,
  type WebSocketLimits,
  type WebSocketTransportOptions,
} from './limits.js';

export type { WebSocketCloseInfo } from './receiver.js';

/** Shared by every transport with nothing queued: never written to. */
const EMPTY: Frame[] = [];

/**
 * One `ws` WebSocket as a {@link Transport}: frames go out as text frames; text and binary
 * frames come in (binary ones read as UTF-8 JSON). A close completes the subscriber, a socket
 * error errors it. Sending waits while the socket buffers more than `highWaterMark` bytes.
 *
 * The socket's events are taken when the transport is made, not when it is subscribed: what
 * the peer sends before then is held (past `highWaterMark` bytes the socket stops reading)
 * and handed to the subscriber on a later turn of the event loop, in order, before anything
 * newer, and followed by the close if it came meanwhile.
 *
 * @example
 * const connection = new JsonRpcConnection(new WebSocketTransport(socket));
 */
export class WebSocketTransport extends WebSocketReceiver implements Transport {
  /** Frames of this turn, sent together at its end (see {@link post}). */
  private outbox: Frame[] = EMPTY;
  private outboxBytes = 0;
  private outboxScheduled = false;
  private backlog: SendBacklog | undefined = undefined;

  /**
   * @param socket - an open (or opening) `ws` WebSocket; the transport listens to it at once,
   *   unless another transport made on it earlier still does
   * @throws TypeError or RangeError for an invalid option
   */
  constructor(socket: WebSocket, options: WebSocketTransportOptions = {}) {
    super(socket, resolveWebSocketLimits(options));
  }

  /** Frames may be handed over as text: `ws` encodes them once, into its own buffer. */
  get textFrames(): true {
    return true;
  }

  /** True while frames wait for the socket to drain. */
  get congested(): boolean {
    return (
      this.backlog?.waiting === true ||
      this.socket.bufferedAmount + this.outboxBytes >= this.limits.highWaterMark
    );
  }

  /** Emits each time the transport can take frames again after being {@link congested}. */
  get drain$(): Observable<void> {
    return this.backlogOf().drain$;
  }

  /** Sends one frame as a text frame, or queues it while the socket is above its high-water mark. */
  next(frame: Frame): void {
    const { socket, limits } = this;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (
      this.backlog?.waiting !== true &&
      socket.bufferedAmount + this.outboxBytes < limits.highWaterMark
    ) {
      return this.post(frame);
    }
    const buffered = socket.bufferedAmount + this.outboxBytes + (this.backlog?.bytes ?? 0);
    if (buffered + sizeOf(frame) > limits.maxBufferedBytes) {
      // Dropped, not closed: a close frame would wait behind all the peer has not read, and
      // ws would keep the socket and that backlog through a closing handshake (30 s).
      keepQuiet(socket);
      socket.terminate();
      this.backlog?.clear();
      this.subscriber?.error(new SlowPeerError(limits.maxBufferedBytes));
      return;
    }
    this.backlogOf().push(frame);
  }

  /** Closes the socket normally (1000), after the frames of this turn. */
  complete(): void {
    this.flushOutbox();
    keepQuiet(this.socket);
    this.socket.close(1000);
  }

  /** Closes the socket with 1011 (internal error), after the frames of this turn. */
  error(): void {
    this.flushOutbox();
    keepQuiet(this.socket);
    this.socket.close(1011);
  }

  /**
   * Queues a frame for the end of this turn's microtasks. The frames a burst of incoming
   * messages produces then go out together, after the burst is read, rather than one write
   * between each two reads (measured: about 14 % more round trips at 64 in flight).
   */
  private post(frame: Frame): void {
    if (this.outbox === EMPTY) this.outbox = [];
    this.outbox.push(frame);
    this.outboxBytes += sizeOf(frame);
    if (!this.outboxScheduled) {
      this.outboxScheduled = true;
      if (unflushed.push(this) === 1) queueMicrotask(WebSocketTransport.flushAll);
    }
  }

  /** Writes the outboxes of this turn: one microtask for every transport, no closure each. */
  private static flushAll(this: void): void {
    const transports = unflushed.splice(0);
    for (const transport of transports) {
      try {
        transport.flushOutbox();
      } catch (error) {
        // One transport's fault must not hold back the others' frames; it is still thrown.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private flushOutbox(): void {
    this.outboxScheduled = false;
    const { outbox } = this;
    const { framesPerWrite } = this.limits;
    try {
      for (let i = 0; i < outbox.length; i += framesPerWrite) {
        this.writeGroup(outbox, i, Math.min(i + framesPerWrite, outbox.length));
      }
    } finally {
      // Written, or lost with the error: never written twice.
      outbox.length = 0;
      this.outboxBytes = 0;
    }
  }

  /**
   * Writes `frames[start, end)` in one system call: ws writes each frame as it is sent, and
   * with its net.Socket corked they leave in one writev.
   */
  private writeGroup(frames: Frame[], start: number, end: number): void {
    const { socket } = this;
    const stream = end - start > 1 ? corkableOf(socket) : undefined;
    stream?.cork();
    try {
      for (let i = start; i < end && socket.readyState === WebSocket.OPEN; i++) {
        const frame = frames[i]!;
        if (socket.bufferedAmount + sizeOf(frame) < this.limits.highWaterMark) {
          sendText(socket, frame);
        } else {
          this.backlogOf().send(frame);
        }
      }
    } finally {
      // Never left corked: nothing more would leave this socket.
      stream?.uncork();
    }
  }

  private backlogOf(): SendBacklog {
    return (this.backlog ??= new SendBacklog(this.socket, this.limits, () => this.congested));
  }

  /** Nothing waits for a closed socket. */
  protected socketClosed(): void {
    this.backlog?.clear();
  }
}

/** Transports with frames to write at the end of this turn. */
const unflushed: WebSocketTransport[] = [];
