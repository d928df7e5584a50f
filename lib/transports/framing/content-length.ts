/**
 * Content-Length framing, the Language Server Protocol's base protocol: each message is
 * `Content-Length: <bytes>\r\n` (optionally `Content-Type: …; charset=utf-8\r\n`), a blank
 * line, then that many bytes of UTF-8 JSON. Pure and incremental.
 * @module
 */
import { parseHeader, PREFIX } from './content-length-header.js';
import { count } from '../../options.js';
import {
  allocatorOf,
  concat,
  DEFAULT_MAX_MESSAGE_BYTES,
  FramingError,
  preview,
  type EncodeOptions,
  type FrameDecoder,
  type FrameOrError,
} from './decoder.js';

/** Default of `maxHeaderBytes`: 8 KiB, as most HTTP servers allow; an LSP header is under 100 bytes. */
export const DEFAULT_MAX_HEADER_BYTES = 8 * 1024;

/** Options of {@link ContentLengthDecoder}. */
export interface ContentLengthOptions {
  /**
   * Longest body accepted, in bytes. Checked on the header, before any of the body is held:
   * a longer message is a fatal `'too-large'` error (the length cannot be trusted).
   * @default DEFAULT_MAX_MESSAGE_BYTES (64 MiB)
   */
  maxMessageBytes?: number;
  /**
   * Longest header section, blank line included; past it without a blank line, the bytes
   * are garbage (`'missing-separator'`).
   * @default DEFAULT_MAX_HEADER_BYTES (8 KiB)
   */
  maxHeaderBytes?: number;
}

const CR = 13;
const LF = 10;
const EMPTY = new Uint8Array(0);
/** Where resynchronisation restarts: the next `content-length`, in any case. */
const NEEDLE = Array.from('content-length', (c) => c.charCodeAt(0));

/**
 * One frame with its Content-Length header, in one buffer (one `write()`).
 * @example
 * socket.write(encodeContentLength(new TextEncoder().encode('{"jsonrpc":"2.0","method":"x"}')));
 */
export function encodeContentLength(frame: Uint8Array, options?: EncodeOptions): Uint8Array {
  const length = frame.length;
  let digits = 1;
  for (let n = length; n >= 10; n = Math.floor(n / 10)) digits++;
  const bodyStart = PREFIX.length + digits + 4;
  const out = allocatorOf(options)(bodyStart + length);
  for (let i = 0; i < PREFIX.length; i++) out[i] = PREFIX[i]!;
  for (let i = PREFIX.length + digits - 1, n = length; i >= PREFIX.length; i--) {
    out[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  out[bodyStart - 4] = CR;
  out[bodyStart - 3] = LF;
  out[bodyStart - 2] = CR;
  out[bodyStart - 1] = LF;
  out.set(frame, bodyStart);
  return out;
}

/**
 * Splits a byte stream into Content-Length frames, whatever its chunking. The length counts
 * bytes; header names are case-insensitive; unknown headers are ignored; a `Content-Type`
 * must be UTF-8 if it names a charset.
 *
 * Garbage — a malformed header line, a missing or non-numeric `Content-Length`, no blank
 * line within `maxHeaderBytes` — yields one non-fatal `FramingError` per run of garbage;
 * the decoder then skips to the next `Content-Length` (any case) and carries on, holding
 * at most 13 bytes while it searches. A message in another charset is skipped whole (its
 * length is known). A message longer than `maxMessageBytes` is fatal, as is the stream
 * ending inside a message: the decoder then returns nothing more.
 *
 * @example
 * const decoder = new ContentLengthDecoder();
 * socket.on('data', (chunk) => decoder.push(chunk).forEach(handleFrameOrError));
 */
export class ContentLengthDecoder implements FrameDecoder {
  private readonly maxMessageBytes: number;
  private readonly maxHeaderBytes: number;
  /** An unfinished header, or the tail that may begin a `content-length` while resyncing. */
  private held: Uint8Array = EMPTY;
  /** How much of `held` was already searched for the blank line. */
  private searched = 0;
  /** The length of the body being read, or -1 between messages. */
  private bodyLength = -1;
  private readonly parts: Uint8Array[] = [];
  private partsBytes = 0;
  /** Bytes still to discard: the body of a message in another charset. */
  private skipBytes = 0;
  private resyncing = false;
  /** An error was reported since the last frame: a run of garbage is reported once. */
  private reported = false;
  private closed = false;

  /** @throws TypeError or RangeError for an invalid option */
  constructor(options: ContentLengthOptions = {}) {
    this.maxMessageBytes = count(
      'maxMessageBytes',
      options.maxMessageBytes,
      DEFAULT_MAX_MESSAGE_BYTES,
    );
    this.maxHeaderBytes = count('maxHeaderBytes', options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES);
  }

  get bufferedBytes(): number {
    return this.held.length + this.partsBytes;
  }

  push(chunk: Uint8Array): FrameOrError[] {
    const out: FrameOrError[] = [];
    if (this.closed || chunk.length === 0) return out;
    let data = chunk;
    if (this.held.length > 0) {
      data = concat([this.held, chunk], this.held.length + chunk.length);
      this.held = EMPTY;
    }
    let pos = 0;
    while (pos < data.length && !this.closed) {
      if (this.bodyLength >= 0) pos = this.readBody(data, pos, out);
      else if (this.skipBytes > 0) pos = this.skip(data, pos);
      else if (this.resyncing) pos = this.resync(data, pos);
      else pos = this.readHeader(data, pos, out);
    }
    return out;
  }

  end(): FrameOrError[] {
    if (this.closed) return [];
    const inside = this.bodyLength >= 0 || (this.held.length > 0 && !this.resyncing);
    const error = new FramingError(
      'truncated',
      this.bodyLength >= 0
        ? `The stream ended inside a message: ${this.partsBytes} of ${this.bodyLength} bytes`
        : `The stream ended inside a header: ${preview(this.held)}`,
      true,
    );
    this.close();
    return inside ? [error] : [];
  }

  private readBody(data: Uint8Array, pos: number, out: FrameOrError[]): number {
    const wanted = this.bodyLength - this.partsBytes;
    const end = Math.min(data.length, pos + wanted);
    const piece = data.subarray(pos, end);
    if (end - pos < wanted) {
      this.parts.push(piece);
      this.partsBytes += piece.length;
      return end;
    }
    this.parts.push(piece);
    out.push(concat(this.parts, this.bodyLength));
    this.parts.length = 0;
    this.partsBytes = 0;
    this.bodyLength = -1;
    this.reported = false;
    return end;
  }

  private skip(data: Uint8Array, pos: number): number {
    const count = Math.min(this.skipBytes, data.length - pos);
    this.skipBytes -= count;
    return pos + count;
  }

  private readHeader(data: Uint8Array, pos: number, out: FrameOrError[]): number {
    const limit = Math.min(data.length, pos + this.maxHeaderBytes);
    const end = findBlankLine(data, pos + this.searched, limit);
    this.searched = 0;
    if (end < 0) {
      if (data.length - pos >= this.maxHeaderBytes) {
        const message = `No blank line ends the header within ${this.maxHeaderBytes} bytes: ${preview(data.subarray(pos))}`;
        return this.garbage(new FramingError('missing-separator', message, false), pos, out);
      }
      this.held = data.slice(pos);
      this.searched = Math.max(0, this.held.length - 3);
      return data.length;
    }
    const header = parseHeader(data.subarray(pos, end), this.maxMessageBytes);
    if (header instanceof FramingError) {
      if (!header.fatal) return this.garbage(header, pos, out);
      out.push(header);
      this.close();
      return data.length;
    }
    if (header.charsetError) {
      out.push(header.charsetError);
      this.skipBytes = header.length;
      this.reported = false;
      return end + 4;
    }
    this.bodyLength = header.length;
    return header.length === 0 ? this.readBody(data, end + 4, out) : end + 4;
  }

  /** Reports garbage (once per run) and resynchronises past its first byte. */
  private garbage(error: FramingError, pos: number, out: FrameOrError[]): number {
    if (!this.reported) out.push(error);
    this.reported = true;
    this.resyncing = true;
    return pos + 1;
  }

  private resync(data: Uint8Array, pos: number): number {
    const found = findNeedle(data, pos);
    if (found >= 0) {
      this.resyncing = false;
      return found;
    }
    this.held = data.slice(Math.max(pos, data.length - (NEEDLE.length - 1)));
    return data.length;
  }

  private close(): void {
    this.closed = true;
    this.held = EMPTY;
    this.parts.length = 0;
    this.partsBytes = 0;
  }
}

/** The start of the first `\r\n\r\n` that ends before `limit`, or -1. */
function findBlankLine(data: Uint8Array, from: number, limit: number): number {
  for (let i = data.indexOf(CR, from); i >= 0 && i + 3 < limit; i = data.indexOf(CR, i + 1)) {
    if (data[i + 1] === LF && data[i + 2] === CR && data[i + 3] === LF) return i;
  }
  return -1;
}

/** The first `content-length`, in any case, at or after `from`; -1 if none. */
function findNeedle(data: Uint8Array, from: number): number {
  const last = data.length - NEEDLE.length;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < NEEDLE.length; j++) {
      const byte = data[i + j]!;
      const want = NEEDLE[j]!;
      // Fold case for letters only: `-` | 0x20 is `-`, but CR | 0x20 is `-` too.
      if (byte !== want && !(want >= 0x61 && (byte | 0x20) === want)) continue outer;
    }
    return i;
  }
  return -1;
}
