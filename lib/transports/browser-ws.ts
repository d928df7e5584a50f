/**
 * A transport over the browser's own WebSocket (or any WHATWG WebSocket).
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import { count } from '../util/options.js';
import type { Transport } from './transport.js';

/** Options of {@link BrowserWebSocketTransport}. */
export interface BrowserWebSocketTransportOptions {
  /**
   * Bytes the socket may buffer (`bufferedAmount`) before further frames wait, in order.
   * @default 1_048_576 (1 MiB)
   */
  highWaterMark?: number;
}

const OPEN = 1;
const ignore = (): void => undefined;
const CLOSED = 3;
const RETRY_MS = 10;

/**
 * One browser `WebSocket` as a {@link Transport}. Frames go out as text frames; text and
 * binary frames come in. A close completes the subscriber; its code and reason are kept in `closeInfo`.
 */
export class BrowserWebSocketTransport
  extends Observable<Uint8Array | string>
  implements Transport
{
  /** How the socket closed, once it has. */
  closeInfo: { code: number; reason: string } | undefined = undefined;
  private readonly highWaterMark: number;
  private readonly waiting: string[] = [];
  private readonly text = new TextDecoder();
  private retry: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    readonly socket: WebSocket,
    options: BrowserWebSocketTransportOptions = {},
  ) {
    super((subscriber) => this.attach(subscriber));
    this.highWaterMark = count('highWaterMark', options.highWaterMark, 1024 * 1024);
    socket.binaryType = 'arraybuffer';
    // An error is always followed by a close, which is what is handled; the `ws` package
    // (a WHATWG WebSocket in Node) would throw on an error nobody listens to.
    socket.addEventListener('error', ignore);
  }

  next(frame: Uint8Array | string): void {
    if (this.socket.readyState !== OPEN) return;
    const text = typeof frame === 'string' ? frame : this.text.decode(frame);
    if (this.waiting.length === 0 && this.socket.bufferedAmount < this.highWaterMark) {
      this.socket.send(text);
      return;
    }
    this.waiting.push(text);
    this.retry ??= setTimeout(() => this.drain(), RETRY_MS);
  }

  complete(): void {
    this.socket.close(1000);
  }

  error(): void {
    // Browsers only let a page send 1000 or 3000–4999.
    this.socket.close(4000, 'Internal error');
  }

  /** Sends waiting frames while the socket is below its high-water mark; polls, as browsers have no drain event. */
  private drain(): void {
    this.retry = undefined;
    let sent = 0;
    while (sent < this.waiting.length && this.socket.readyState === OPEN) {
      if (this.socket.bufferedAmount >= this.highWaterMark) break;
      this.socket.send(this.waiting[sent++]!);
    }
    this.waiting.splice(0, sent);
    if (this.waiting.length > 0 && this.socket.readyState === OPEN) {
      this.retry = setTimeout(() => this.drain(), RETRY_MS);
    }
  }

  private attach(subscriber: Subscriber<Uint8Array | string>): () => void {
    const { socket } = this;
    const onMessage = (event: MessageEvent): void => {
      const data: unknown = event.data;
      subscriber.next(typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer));
    };
    const onClose = (event: CloseEvent): void => {
      this.closeInfo = { code: event.code, reason: event.reason };
      clearTimeout(this.retry);
      this.waiting.length = 0;
      subscriber.complete();
    };
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', onClose);
    if (socket.readyState === CLOSED) subscriber.complete();
    return () => {
      socket.removeEventListener('message', onMessage);
      socket.removeEventListener('close', onClose);
    };
  }
}
