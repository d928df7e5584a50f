/**
 * Newline-delimited framing, the Model Context Protocol's stdio transport (and JSON Lines):
 * one JSON text per line, UTF-8, ended by `\n`. Pure and incremental.
 * @module
 */
import {
  allocatorOf,
  DEFAULT_MAX_MESSAGE_BYTES,
  FramingError,
  type EncodeOptions,
  type FrameDecoder,
  type FrameOrError,
} from './decoder.js';
import { count } from '../../util/options.js';
import { PartialFrame } from './partial-frame.js';

/** Options of {@link NewlineDecoder}. */
export interface NewlineOptions {
  /**
   * Longest line accepted, in bytes, its `\n` excluded. A longer line is discarded as it
   * arrives, without being held, and reported as a non-fatal `'too-large'` error.
   * @default DEFAULT_MAX_MESSAGE_BYTES (64 MiB)
   */
  maxMessageBytes?: number;
}

const LF = 10;
const CR = 13;
const SPACE = 32;

/**
 * One frame and its `\n`, in one buffer (one `write()`). JSON never needs a raw newline (a
 * string holds `\n` escaped), so a CR or LF in the frame — pretty-printed JSON — is only
 * whitespace and is sent as a space, which keeps the line whole and the JSON the same.
 * @example
 * process.stdout.write(encodeNewline(new TextEncoder().encode('{"jsonrpc":"2.0","method":"x"}')));
 */
export function encodeNewline(frame: Uint8Array, options?: EncodeOptions): Uint8Array {
  const out = allocatorOf(options)(frame.length + 1);
  out.set(frame);
  if (frame.indexOf(LF) >= 0 || frame.indexOf(CR) >= 0) {
    for (let i = 0; i < frame.length; i++) if (out[i] === LF || out[i] === CR) out[i] = SPACE;
  }
  out[frame.length] = LF;
  return out;
}

/**
 * Splits a byte stream into lines, whatever its chunking. A line ending in `\r\n` loses its
 * `\r`; empty lines are skipped. Any other line is a frame, JSON or not: a stray line (a
 * `console.log` on stdout) reaches the connection, which answers it -32700 Parse error.
 * A line longer than `maxMessageBytes` is dropped up to its `\n` with one non-fatal
 * `'too-large'` error. At the end of the stream, a last line without `\n` is still a frame.
 * This framing has no fatal error. A line within one chunk is a view of it; a line that
 * spans chunks is held in a few bytes per byte received, however small the chunks.
 *
 * @example
 * const decoder = new NewlineDecoder();
 * process.stdin.on('data', (chunk) => decoder.push(chunk).forEach(handleFrameOrError));
 */
export class NewlineDecoder implements FrameDecoder {
  private readonly maxMessageBytes: number;
  /** What has come of a line that spans chunks. */
  private readonly line = new PartialFrame();
  /** Inside an over-long line: drop bytes up to the next `\n`. */
  private discarding = false;
  private closed = false;

  /** @throws TypeError or RangeError for an invalid option */
  constructor(options: NewlineOptions = {}) {
    this.maxMessageBytes = count(
      'maxMessageBytes',
      options.maxMessageBytes,
      DEFAULT_MAX_MESSAGE_BYTES,
    );
  }

  get bufferedBytes(): number {
    return this.line.length;
  }

  push(chunk: Uint8Array): FrameOrError[] {
    const out: FrameOrError[] = [];
    if (this.closed) return out;
    let pos = 0;
    while (pos < chunk.length) {
      const newline = chunk.indexOf(LF, pos);
      const end = newline < 0 ? chunk.length : newline;
      if (this.discarding) {
        this.discarding = newline < 0;
      } else if (this.line.length + end - pos > this.maxMessageBytes) {
        out.push(this.tooLarge());
        this.discarding = newline < 0;
      } else if (newline < 0) {
        // A whole chunk is held as it is: a view of a small array can cost more than its bytes.
        this.line.append(pos === 0 ? chunk : chunk.subarray(pos), this.maxMessageBytes);
      } else {
        this.emit(chunk.subarray(pos, end), out);
      }
      pos = end + 1;
    }
    return out;
  }

  end(): FrameOrError[] {
    const out: FrameOrError[] = [];
    if (!this.closed && this.line.length > 0) this.emit(new Uint8Array(0), out);
    this.closed = true;
    this.line.clear();
    return out;
  }

  private emit(last: Uint8Array, out: FrameOrError[]): void {
    let line = this.line.take(last);
    if (line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > 0) out.push(line);
  }

  private tooLarge(): FramingError {
    const message = `A line longer than maxMessageBytes (${this.maxMessageBytes}) was discarded`;
    this.line.clear();
    return new FramingError('too-large', message, false);
  }
}
