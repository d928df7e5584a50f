/**
 * What every byte-stream framer shares: the decoder contract, its error and its limits.
 * Pure: no I/O, no Node, no RxJS.
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

/** The bytes of several parts, in one array (no copy for a single part). */
export function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
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
