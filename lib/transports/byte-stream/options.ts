/**
 * Options of the byte-stream transports: defaults merged once, then validated loudly.
 * @module
 */
import { DEFAULT_MAX_HEADER_BYTES } from '../framing/content-length.js';
import { count, shielded } from '../../util/options.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type FramingError } from '../framing/decoder.js';
import { DEFAULT_FRAMES_PER_WRITE } from '../write-groups.js';

/** How messages are delimited on a byte stream. */
export type StreamFraming =
  /** `Content-Length: N` header, blank line, N bytes: the Language Server Protocol's. */
  | 'content-length'
  /** One JSON text per line: the Model Context Protocol's stdio transport, JSON Lines. */
  | 'newline';

/**
 * Default of `maxWriteBufferBytes`: 256 MiB. Room for a few maximum-size messages, or for a
 * client that sends 100,000 requests of a kilobyte at once, before deciding the peer is gone.
 */
export const DEFAULT_MAX_WRITE_BUFFER_BYTES = 256 * 1024 * 1024;

/** Options of `StreamTransport`. */
export interface StreamTransportOptions {
  /** The framing both peers speak; there is no default, the two do not mix. */
  framing: StreamFraming;
  /**
   * Longest incoming message, in bytes, checked before any of it is held. Content-Length:
   * a longer message closes the transport with a fatal `FramingError` (`'too-large'`).
   * Newline: a longer line is discarded up to its newline (a non-fatal error).
   * @default DEFAULT_MAX_MESSAGE_BYTES (64 MiB)
   */
  maxMessageBytes?: number;
  /**
   * Longest Content-Length header section, blank line included (ignored by newline framing).
   * @default DEFAULT_MAX_HEADER_BYTES (8 KiB)
   */
  maxHeaderBytes?: number;
  /**
   * Bytes queued in the writable (its `writableLength`) past which the peer is taken for
   * gone: the transport closes with `WriteBufferFullError`.
   * @default DEFAULT_MAX_WRITE_BUFFER_BYTES (256 MiB)
   */
  maxWriteBufferBytes?: number;
  /**
   * Frames of one turn written in one system call (see `DEFAULT_FRAMES_PER_WRITE`); `1`
   * writes every frame on its own.
   * @default 16
   */
  framesPerWrite?: number;
  /**
   * Called with each recoverable framing error (garbage skipped, an over-long line). The
   * peer is answered -32700 either way; fatal errors close the connection instead. What it
   * throws is logged with console.error.
   * @default ignores them
   */
  onFramingError?: (error: FramingError) => void;
}

/** Options after defaults were applied. */
export interface ResolvedStreamTransportOptions {
  readonly framing: StreamFraming;
  readonly maxMessageBytes: number;
  readonly maxHeaderBytes: number;
  readonly maxWriteBufferBytes: number;
  readonly framesPerWrite: number;
  readonly onFramingError: (error: FramingError) => void;
}

/** The option names of {@link StreamTransportOptions}, to split them from a connection's. */
export const STREAM_TRANSPORT_OPTION_NAMES = [
  'framing',
  'maxMessageBytes',
  'maxHeaderBytes',
  'maxWriteBufferBytes',
  'framesPerWrite',
  'onFramingError',
] as const;

/**
 * Applies defaults and validates.
 * @throws TypeError for a wrong type, RangeError for a value out of range
 */
export function resolveStreamTransportOptions(
  options: StreamTransportOptions,
): ResolvedStreamTransportOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`The options must be an object, got ${String(options)}`);
  }
  const { framing, onFramingError } = options;
  if (framing !== 'content-length' && framing !== 'newline') {
    throw new TypeError(
      `The "framing" option must be 'content-length' or 'newline', got ${String(framing)}`,
    );
  }
  if (onFramingError !== undefined && typeof onFramingError !== 'function') {
    throw new TypeError('The "onFramingError" option must be a function');
  }
  return {
    framing,
    maxMessageBytes: count('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    maxHeaderBytes: count('maxHeaderBytes', options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES),
    maxWriteBufferBytes: count(
      'maxWriteBufferBytes',
      options.maxWriteBufferBytes,
      DEFAULT_MAX_WRITE_BUFFER_BYTES,
    ),
    framesPerWrite: count('framesPerWrite', options.framesPerWrite, DEFAULT_FRAMES_PER_WRITE),
    onFramingError: onFramingError ? shielded('onFramingError', onFramingError) : () => undefined,
  };
}
