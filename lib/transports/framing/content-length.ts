/**
 * Content-Length framing, the Language Server Protocol's base protocol: each message is
 * `Content-Length: <bytes>\r\n` (optionally `Content-Type: …; charset=utf-8\r\n`), a blank
 * line, then that many bytes of UTF-8 JSON. Pure and incremental.
 * @module
 */
import {
  findNeedle,
  isFault,
  NEEDLE,
  parseHeader,
  PREFIX,
  resyncHeader,
  type HeaderFault,
} from './content-length-header.js';
import { BlankLineSearch, MORE, NONE } from './content-length-blank-line.js';
import { count } from '../../util/options.js';
import {
  allocatorOf,
  Carry,
  DEFAULT_MAX_MESSAGE_BYTES,
  FramingError,
  preview,
  type EncodeOptions,
  type FrameDecoder,
  type FrameOrError,
} from './decoder.js';
import { PartialFrame } from './partial-frame.js';

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
 * The work is linear in the bytes received, whatever they are and however they are cut: the
 * searches for a blank line and for `content-length` only move forward, a header section
 * that fails is resynchronised in one pass, and a chunk is copied only to be joined to the
 * bytes held from the chunks before. So is the memory held for a message still arriving: a
 * few bytes per byte received, however small the chunks. A message within one chunk is a
 * view of it, not a copy.
 *
 * @example
 * const decoder = new ContentLengthDecoder();
 * socket.on('data', (chunk) => decoder.push(chunk).forEach(handleFrameOrError));
 */
export class ContentLengthDecoder implements FrameDecoder {
  private readonly maxMessageBytes: number;
  private readonly maxHeaderBytes: number;
  /** An unfinished header, or the tail that may begin a `content-length` while resyncing. */
  private readonly carry: Carry;
  /** Stream offset of the bytes being decoded, and of the end of what was pushed. */
  private dataOffset = 0;
  private received = 0;
  private readonly blankLine: BlankLineSearch;
  /** The length of the body being read, or -1 between messages. */
  private bodyLength = -1;
  /** What has come of that body, when it spans chunks. */
  private readonly body = new PartialFrame();
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
    this.carry = new Carry(this.maxHeaderBytes);
    this.blankLine = new BlankLineSearch(this.maxHeaderBytes);
  }

  get bufferedBytes(): number {
    return this.carry.length + this.body.length;
  }

  push(chunk: Uint8Array): FrameOrError[] {
    const out: FrameOrError[] = [];
    if (this.closed || chunk.length === 0) return out;
    this.dataOffset = this.received - this.carry.length;
    this.received += chunk.length;
    const data = this.carry.join(chunk);
    let pos = 0;
    while (pos < data.length && !this.closed) {
      if (this.bodyLength >= 0) pos = this.readBody(data, pos, out);
      else if (this.skipBytes > 0) pos = this.skip(data, pos);
      else if (this.resyncing) pos = this.resync(data, pos);
      else pos = this.readHeader(data, pos, out);
    }
    if (this.carry.length === 0) this.carry.clear();
    return out;
  }

  end(): FrameOrError[] {
    if (this.closed) return [];
    const inside = this.bodyLength >= 0 || (this.carry.length > 0 && !this.resyncing);
    const error = new FramingError(
      'truncated',
      this.bodyLength >= 0
        ? `The stream ended inside a message: ${this.body.length} of ${this.bodyLength} bytes`
        : `The stream ended inside a header: ${preview(this.carry.held)}`,
      true,
    );
    this.close();
    return inside ? [error] : [];
  }

  private readBody(data: Uint8Array, pos: number, out: FrameOrError[]): number {
    const wanted = this.bodyLength - this.body.length;
    const end = Math.min(data.length, pos + wanted);
    // A whole chunk is taken as it is: a view of a small array can cost more than its bytes.
    const piece = pos === 0 && end === data.length ? data : data.subarray(pos, end);
    if (end - pos < wanted) {
      this.body.append(piece, this.bodyLength);
      return end;
    }
    out.push(this.body.take(piece));
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
    const end = this.blankLine.headerEnd(data, this.dataOffset, pos);
    if (end === MORE) {
      this.carry.keep(data, pos);
      return data.length;
    }
    if (end === NONE) {
      if (!this.reported) {
        const message = `No blank line ends the header within ${this.maxHeaderBytes} bytes: ${preview(data.subarray(pos))}`;
        out.push(new FramingError('missing-separator', message, false));
      }
      return this.garbage(pos);
    }
    const bytes = data.subarray(pos, end);
    let header = parseHeader(bytes, this.maxMessageBytes);
    if (isFault(header) && !header.fatal) {
      if (!this.reported) out.push(framingError(header));
      this.garbage(pos);
      // Resynchronising would restart at each later `content-length` of these same bytes,
      // and each would end at this same blank line: all are tried in one pass.
      const found = resyncHeader(bytes, this.maxMessageBytes);
      if (found === undefined) return end + 4;
      this.resyncing = false;
      header = found;
    }
    if (isFault(header)) {
      out.push(framingError(header));
      this.close();
      return data.length;
    }
    if (header.charsetError) {
      out.push(framingError(header.charsetError));
      this.skipBytes = header.length;
      this.reported = false;
      return end + 4;
    }
    this.bodyLength = header.length;
    return header.length === 0 ? this.readBody(data, end + 4, out) : end + 4;
  }

  /** Garbage at `pos` (reported by the caller, once per run): resynchronises past its first byte. */
  private garbage(pos: number): number {
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
    this.carry.keep(data, Math.max(pos, data.length - (NEEDLE.length - 1)));
    return data.length;
  }

  private close(): void {
    this.closed = true;
    this.carry.clear();
    this.body.clear();
  }
}

function framingError(fault: HeaderFault): FramingError {
  return new FramingError(fault.code, fault.message, fault.fatal);
}
