/**
 * The frames a `ws` WebSocket transport holds back while its socket buffers past the
 * high-water mark, and the `drain$` signal. Made on first need: most transports never have one.
 * @module
 */
import { Observable, Subject } from 'rxjs';
import WebSocket from 'ws';
import { sendText, sizeOf, type Frame } from './frames.js';
import type { WebSocketLimits } from './limits.js';

const RETRY_MS = 10;

/** Frames waiting for one socket to drain, in order. */
export class SendBacklog {
  /** Bytes of the waiting frames. */
  bytes = 0;
  private readonly frames: Frame[] = [];
  /** A write that crossed the high-water mark will call back when flushed. */
  private flushPending = false;
  private retry: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly drained = new Subject<void>();

  /** Emits each time the socket can take frames again after being congested. */
  readonly drain$ = new Observable<void>((subscriber) => {
    const subscription = this.drained.subscribe(subscriber);
    this.armRetry();
    return subscription;
  });

  private readonly onFlushed = (): void => {
    this.flushPending = false;
    this.drain();
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: WebSocketLimits,
    /** The transport's `congested`: frames wait, or the socket is past its high-water mark. */
    private readonly congested: () => boolean,
  ) {}

  /** True while frames wait. */
  get waiting(): boolean {
    return this.frames.length > 0;
  }

  push(frame: Frame): void {
    this.frames.push(frame);
    this.bytes += sizeOf(frame);
    this.armRetry();
  }

  /** Sends a frame; the one that crosses the high-water mark calls back when flushed. */
  send(frame: Frame): void {
    if (this.socket.bufferedAmount + sizeOf(frame) < this.limits.highWaterMark) {
      sendText(this.socket, frame);
    } else {
      this.flushPending = true;
      sendText(this.socket, frame, this.onFlushed);
    }
  }

  /** The socket closed: nothing waits any more. */
  clear(): void {
    this.frames.length = 0;
    this.bytes = 0;
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** Sends waiting frames while the socket stays below its high-water mark. */
  private drain(): void {
    const { socket, frames } = this;
    let sent = 0;
    while (
      sent < frames.length &&
      socket.readyState === WebSocket.OPEN &&
      socket.bufferedAmount < this.limits.highWaterMark
    ) {
      const frame = frames[sent++]!;
      this.bytes -= sizeOf(frame);
      this.send(frame);
    }
    frames.splice(0, sent);
    this.armRetry();
    if (this.drained.observed && !this.congested()) this.drained.next();
  }

  /** When frames wait (or someone waits for a drain) and no write will call back, look again shortly. */
  private armRetry(): void {
    if (this.flushPending || this.retry) return;
    const full = this.drained.observed && this.socket.bufferedAmount >= this.limits.highWaterMark;
    if (!this.waiting && !full) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.socket.readyState === WebSocket.OPEN) this.drain();
    }, RETRY_MS);
  }
}
