/**
 * What every byte-stream framer shares: the decoder contract, its error, its limits, and
 * where it holds bytes between chunks. Pure: no I/O, no Node, no RxJS.
 * @module
 */

/**
 * Default of `maxMessageBytes`: 64 MiB. Large enough for any real LSP or MCP message (a
 * whole source file in `didOpen`, a base64 image in a tool result), small enough that a
 * hostile or broken peer cannot make one connection hold more than that at once, and far
 * below V8's string limit (about 512 MiB), which `JSON.parse` would otherwise hit.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Why a byte stream could not be framed. */
export type FramingErrorCode =
  /** A header line is not `Name: value`, a header is missing, or headers conflict. */
  | 'bad-header'
  /** `Content-Length` is not a decimal number of bytes. */
  | 'bad-length'
  /** No blank line ends the header within `maxHeaderBytes`. */
  | 'missing-separator'
  /** `Content-Type` names a charset other than UTF-8. */
  | 'unsupported-charset'
  /** A message is longer than `maxMessageBytes`. */
  | 'too-large'
  /** The stream ended inside a message. */
  | 'truncated';

/**
 * A byte stream that does not follow its framing. `fatal` tells whether the decoder gave
 * up (the transport then closes with this error) or skipped the bad bytes and carries on.
 */
export class FramingError extends Error {
  override readonly name = 'FramingError';

  /**
   * @param code - what went wrong
   * @param message - a description naming the bad input, clipped to a few dozen characters
   * @param fatal - true when no further frame can be read from the stream
   */
  constructor(
    readonly code: FramingErrorCode,
    message: string,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

/** One item out of a decoder, in stream order: a whole frame, or what went wrong. */
export type FrameOrError = Uint8Array | FramingError;

/**
 * An incremental, chunking-agnostic framer: feed it the chunks of a byte stream as they
 * come, get back the frames they complete. Frames are views into the chunks pushed, so a
 * chunk must not be modified after it was pushed.
 */
export interface FrameDecoder {
  /** Feeds one chunk; returns the frames (and errors) it completes, in order. Never throws. */
  push(chunk: Uint8Array): FrameOrError[];
  /** The stream ended: returns what the bytes held still make, if anything. Never throws. */
  end(): FrameOrError[];
  /** Bytes held waiting for the rest of a message. */
  readonly bufferedBytes: number;
}

/** Options of the frame encoders. */
export interface EncodeOptions {
  /**
   * Makes the output buffer, which the encoder fills whole. In Node, `Buffer.allocUnsafe`
   * is faster (pooled, not zeroed).
   * @default (size) => new Uint8Array(size)
   */
  allocate?: (size: number) => Uint8Array;
}

/** The allocator of {@link EncodeOptions}, or the default one. */
export function allocatorOf(options: EncodeOptions | undefined): (size: number) => Uint8Array {
  return options?.allocate ?? ((size) => new Uint8Array(size));
}

const NOTHING = new Uint8Array(0);

/**
 * Bytes a decoder holds from one chunk to the next — an unfinished header — kept in a
 * buffer written only at its end. Joining the next chunk copies that chunk, not what is
 * held, so holding a header across many small chunks costs O(1) a byte; and the views of the
 * buffer a decoder hands out (frames) stay valid, as no byte of it is written twice.
 */
export class Carry {
  private buffer = NOTHING;
  private start = 0;
  private end = 0;
  /** The view `join` last returned: what `keep` may keep without a copy. */
  private view: Uint8Array | undefined = undefined;

  /** @param maxHeldBytes - the most a decoder holds at once: spare room to grow into */
  constructor(private readonly maxHeldBytes: number) {}

  /** Bytes held. */
  get length(): number {
    return this.end - this.start;
  }

  /** The bytes held followed by `chunk`, in one view (`chunk` itself when none); holds none after. */
  join(chunk: Uint8Array): Uint8Array {
    if (this.start === this.end) {
      this.view = undefined;
      return chunk;
    }
    this.append(chunk);
    this.view = this.buffer.subarray(this.start, this.end);
    this.start = this.end;
    return this.view;
  }

  /** Holds `data` from `from` on; `data` is a chunk or the view `join` returned. */
  keep(data: Uint8Array, from: number): void {
    const kept = data.length - from;
    // Keep in place what mostly came before; copy what is left of a chunk mostly consumed,
    // which costs less than the bytes just consumed and lets go of the large buffer.
    if (data === this.view && kept > from) this.start = this.end - kept;
    else this.append(data.subarray(from), true);
  }

  /** The bytes held. */
  get held(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  /** Holds nothing more, and lets go of the buffer. */
  clear(): void {
    this.buffer = NOTHING;
    this.start = this.end = 0;
    this.view = undefined;
  }

  private append(bytes: Uint8Array, fresh = false): void {
    if (!fresh && this.end + bytes.length <= this.buffer.length) {
      this.buffer.set(bytes, this.end);
      this.end += bytes.length;
      return;
    }
    // Room for as much again (up to what a decoder holds): each copy of the held bytes is
    // paid for by as many bytes appended since the last one.
    const held = fresh ? 0 : this.end - this.start;
    const total = held + bytes.length;
    const buffer = new Uint8Array(total + Math.min(total, this.maxHeldBytes) + 64);
    if (held > 0) buffer.set(this.buffer.subarray(this.start, this.end));
    buffer.set(bytes, held);
    this.buffer = buffer;
    this.start = 0;
    this.end = total;
  }
}

const utf8 = new TextDecoder();

/** Header bytes as text: UTF-8, a bad sequence shown as U+FFFD (headers are ASCII anyway). */
export function headerText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Some bytes, shown in an error message: clipped, quoted. */
export function preview(bytes: Uint8Array, max = 40): string {
  const shown = headerText(bytes.subarray(0, max));
  return JSON.stringify(bytes.length > max ? `${shown}…` : shown);
}
