/**
 * The options of a `ws` WebSocket transport, checked once, and the error of a peer that
 * reads too slowly for them.
 * @module
 */
import { count } from '../../util/options.js';
import { DEFAULT_FRAMES_PER_WRITE } from '../write-groups.js';

export { DEFAULT_FRAMES_PER_WRITE };

/** Options of `WebSocketTransport`. */
export interface WebSocketTransportOptions {
  /**
   * Bytes the socket may buffer before further frames wait in the transport, in order.
   * @default 1_048_576 (1 MiB)
   */
  highWaterMark?: number;
  /**
   * Bytes buffered in all (socket and transport) past which the peer is deemed too slow: the
   * socket is dropped at once (`terminate()`: a close frame would wait behind everything the
   * peer has not read, so the peer sees 1006) and the transport errors with `SlowPeerError`.
   * @default 67_108_864 (64 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Frames of one turn written to the socket in one system call (see
   * `DEFAULT_FRAMES_PER_WRITE`); `1` writes every frame on its own. @default 16
   */
  framesPerWrite?: number;
}

export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Options of `WebSocketTransport` with their defaults, checked. */
export type WebSocketLimits = Readonly<Required<WebSocketTransportOptions>>;

const resolvedLimits = new WeakSet<object>();

/**
 * Checks the options of `WebSocketTransport` and fills in the defaults; a server does it
 * once for all its sockets.
 * @throws TypeError or RangeError for an invalid option
 */
export function resolveWebSocketLimits(options: WebSocketTransportOptions): WebSocketLimits {
  if (resolvedLimits.has(options)) return options as WebSocketLimits;
  const limits: WebSocketLimits = Object.freeze({
    highWaterMark: count('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
    maxBufferedBytes: count(
      'maxBufferedBytes',
      options.maxBufferedBytes,
      DEFAULT_MAX_BUFFERED_BYTES,
    ),
    framesPerWrite: count('framesPerWrite', options.framesPerWrite, DEFAULT_FRAMES_PER_WRITE),
  });
  resolvedLimits.add(limits);
  return limits;
}

/** The peer read too slowly: more than `maxBufferedBytes` waited to be sent. */
export class SlowPeerError extends Error {
  override name = 'SlowPeerError';
  constructor(readonly maxBufferedBytes: number) {
    super(`The peer reads too slowly: over ${maxBufferedBytes} bytes wait to be sent`);
  }
}
