/**
 * StreamTransport: frames over a Node byte stream — stdio, a TCP socket, a child process's
 * pipes — with Content-Length (LSP) or newline-delimited (MCP) framing.
 * @module
 */
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';
import { ContentLengthDecoder } from '../framing/content-length.js';
import type { FrameDecoder, FrameOrError, FramingError } from '../framing/decoder.js';
import { NewlineDecoder } from '../framing/newline.js';
import { frameEncoder, type FrameEncoder } from './encode.js';
import { resolveStreamTransportOptions, type StreamTransportOptions } from './options.js';
import type { Transport } from '../transport.js';

/**
 * More bytes than `maxWriteBufferBytes` wait to be written: the peer stopped reading.
 * The transport closes with it.
 */
export class WriteBufferFullError extends Error {
  override readonly name = 'WriteBufferFullError';

  constructor(readonly limit: number) {
    super(`More than ${limit} bytes are waiting to be written: the peer is not reading`);
  }
}

/** What a value is, for an error message. */
const kind = (value: unknown): string => (value === null ? 'null' : typeof value);

/** What a recoverable framing error is delivered as: no JSON, so the connection answers -32700. */
const UNPARSABLE_FRAME = new Uint8Array(0);

/**
 * A transport over a readable and a writable byte stream (the same object for a socket).
 *
 * - Subscribing starts reading (one subscriber at a time). The readable's `'end'` or
 *   `'close'` completes the subscriber; an `'error'` on either stream errors it.
 * - `next(frame)` writes the frame (UTF-8 bytes, or JSON text) with its framing in one
 *   `write()`. Writes made in one
 *   tick are corked together, `framesPerWrite` (16) to a system call. A `write()` returning false does not stop
 *   further frames (they are ordered, and pausing could deadlock two busy peers); past
 *   `maxWriteBufferBytes` queued, the transport errors with {@link WriteBufferFullError}.
 *   Meanwhile `congested` is true, and `drain$` emits once the writable drains: what a
 *   producer that can wait (a server stream) watches.
 * - `complete()` ends the writable (queued frames still go out), ends the subscriber, and
 *   releases the readable: a separate one (stdin, a child's stdout) is destroyed; a duplex
 *   (a socket) keeps draining until its peer closes, so it closes cleanly.
 *   `error(e)` destroys both streams and errors the subscriber with `e`.
 * - A recoverable framing error (see the framings) goes to `onFramingError` and reaches
 *   the subscriber as an empty frame, which a connection answers -32700 Parse error. A
 *   fatal one (a message over `maxMessageBytes` in Content-Length framing, the stream
 *   ending inside a message) errors the subscriber with the {@link FramingError} and
 *   closes the streams as `complete()` does.
 * - Every listener it adds is removed once both streams have closed. A TCP socket gets
 *   `setNoDelay(true)`.
 *
 * @throws TypeError or RangeError for invalid streams or options
 * @example
 * // An LSP-style server on stdio:
 * const transport = new StreamTransport(process.stdin, process.stdout, { framing: 'content-length' });
 * new JsonRpcConnection(transport, JsonRpcConnectionType.SERVER).serve(methods);
 */
export class StreamTransport extends Observable<Uint8Array> implements Transport {
  /** Frames may be given as JSON text: encoded straight into the framed buffer. */
  readonly textFrames = true;
  private readonly decoder: FrameDecoder;
  private readonly encode: FrameEncoder;
  private readonly maxWriteBufferBytes: number;
  private readonly framesPerWrite: number;
  private readonly onFramingError: (error: FramingError) => void;
  private subscriber: Subscriber<Uint8Array> | undefined;
  /** Reading is over; `endError` says why, if it broke. */
  private ended = false;
  private endError: unknown = undefined;
  /** Writing is over: `complete()`, `error()` or a broken wire. */
  private closing = false;
  private corked = false;
  /** Frames written since the writable was last uncorked. */
  private corkedFrames = 0;
  private readableClosed: boolean;
  private writableClosed: boolean;

  /**
   * Emits each time the writable drains after being {@link congested}. Subscribing adds a
   * `'drain'` listener; unsubscribing removes it.
   */
  readonly drain$ = new Observable<void>((subscriber) => {
    const onDrain = (): void => subscriber.next();
    this.writable.on('drain', onDrain);
    return () => this.writable.off('drain', onDrain);
  });

  constructor(
    readonly readable: Readable,
    readonly writable: Writable,
    options: StreamTransportOptions,
  ) {
    super((subscriber) => this.attach(subscriber));
    if (typeof readable?.on !== 'function' || typeof readable.read !== 'function') {
      throw new TypeError(`The readable must be a Node.js Readable stream, got ${kind(readable)}`);
    }
    if (typeof writable?.on !== 'function' || typeof writable.write !== 'function') {
      throw new TypeError(`The writable must be a Node.js Writable stream, got ${kind(writable)}`);
    }
    const resolved = resolveStreamTransportOptions(options);
    const newline = resolved.framing === 'newline';
    this.decoder = newline ? new NewlineDecoder(resolved) : new ContentLengthDecoder(resolved);
    this.encode = frameEncoder(resolved.framing);
    this.maxWriteBufferBytes = resolved.maxWriteBufferBytes;
    this.framesPerWrite = resolved.framesPerWrite;
    this.onFramingError = resolved.onFramingError;
    this.readableClosed = readable.destroyed;
    this.writableClosed = writable.destroyed;
    readable.on('end', this.onEnd).on('error', this.onError).on('close', this.onReadableClose);
    if (!this.duplex) writable.on('error', this.onError).on('close', this.onWritableClose);
    if (writable instanceof Socket) writable.setNoDelay(true);
  }

  next(frame: Uint8Array | string): void {
    const { writable } = this;
    if (this.closing || !writable.writable) return;
    const bytes = this.encode(frame);
    if (writable.writableLength + bytes.length > this.maxWriteBufferBytes) {
      return this.break(new WriteBufferFullError(this.maxWriteBufferBytes));
    }
    if (!this.corked) {
      this.corked = true;
      writable.cork();
      process.nextTick(this.uncork);
    }
    writable.write(bytes);
    if (++this.corkedFrames === this.framesPerWrite) {
      // A burst leaves in several writes: the peer starts on the first while the rest follow.
      this.corkedFrames = 0;
      writable.uncork();
      writable.cork();
    }
  }

  /** True while the writable holds more than its `highWaterMark` (its `write()` said false). */
  get congested(): boolean {
    return this.writable.writableNeedDrain;
  }

  complete(): void {
    this.shut(false);
    this.stopReading(undefined);
  }

  error(error: unknown): void {
    this.shut(true);
    this.stopReading(error);
  }

  private get duplex(): boolean {
    return (this.readable as unknown) === this.writable;
  }

  private attach(subscriber: Subscriber<Uint8Array>): TeardownLogic {
    if (this.subscriber) {
      subscriber.error(new Error('A stream transport accepts one subscriber at a time'));
      return;
    }
    if (!this.ended && (this.readable.readableEnded || this.readable.destroyed)) this.onEnd();
    if (this.ended) {
      if (this.endError === undefined) subscriber.complete();
      else subscriber.error(this.endError);
      return;
    }
    this.subscriber = subscriber;
    this.readable.on('data', this.onData);
    return () => {
      if (this.subscriber !== subscriber) return;
      this.subscriber = undefined;
      this.readable.off('data', this.onData);
    };
  }

  private readonly onData = (chunk: Uint8Array | string): void => {
    this.deliver(this.decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  };

  private readonly onEnd = (): void => {
    if (this.ended) return;
    this.deliver(this.decoder.end());
    this.stopReading(undefined);
  };

  private readonly onError = (error: Error): void => this.break(error);

  private readonly onReadableClose = (): void => {
    this.readableClosed = true;
    if (this.duplex) this.writableClosed = true;
    this.onEnd();
    this.release();
  };

  private readonly onWritableClose = (): void => {
    this.writableClosed = true;
    this.closing = true;
    this.release();
  };

  private readonly uncork = (): void => {
    this.corked = false;
    this.corkedFrames = 0;
    this.writable.uncork();
  };

  private deliver(items: FrameOrError[]): void {
    for (const item of items) {
      if (!this.subscriber) return;
      if (item instanceof Uint8Array) {
        this.subscriber.next(item);
      } else if (item.fatal) {
        this.shut(false);
        return this.stopReading(item);
      } else {
        this.onFramingError(item);
        this.subscriber.next(UNPARSABLE_FRAME);
      }
    }
  }

  /** The wire broke: destroy both streams, error the subscriber. */
  private break(error: unknown): void {
    this.shut(true);
    this.stopReading(error);
  }

  /** Ends the subscriber (with `error` if given) and stops delivering; once. */
  private stopReading(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = error;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.readable.off('data', this.onData);
    if (error === undefined) subscriber?.complete();
    else subscriber?.error(error);
  }

  /** Stops writing: gracefully (queued frames go out) or abruptly (destroy). */
  private shut(abrupt: boolean): void {
    const { readable, writable } = this;
    if (abrupt) {
      this.closing = true;
      readable.destroy();
      writable.destroy();
      return;
    }
    if (this.closing) return;
    this.closing = true;
    if (!writable.writableEnded) writable.end();
    // A socket must keep reading to see its peer's FIN and close; a pipe need not.
    if (this.duplex) readable.resume();
    else readable.destroy();
  }

  /** Both streams closed: nothing can fire any more, remove every listener. */
  private release(): void {
    if (!this.readableClosed || !this.writableClosed) return;
    const { readable, writable } = this;
    readable.off('data', this.onData).off('end', this.onEnd).off('error', this.onError);
    readable.off('close', this.onReadableClose);
    if (!this.duplex) writable.off('error', this.onError).off('close', this.onWritableClose);
  }
}
