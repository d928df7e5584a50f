/**
 * The transport contract: a Subject of byte frames, with optional capabilities.
 * @module
 */
import type { Observer, Subscribable } from 'rxjs';

/**
 * The state of a reconnecting transport's link (see {@link Transport.link$}):
 * `'connecting'` before the first link, `'open'` while frames flow, `'reconnecting'` after a
 * link was lost and before the next one opens.
 */
export type TransportLinkState = 'connecting' | 'open' | 'reconnecting';

/**
 * A duplex channel of whole frames, one JSON text each.
 *
 * - `subscribe(observer)`: frames received; at most one subscriber is expected (the
 *   connection). Frames are delivered asynchronously, never from inside `next()`.
 * - `next(frame)`: send one frame.
 * - `complete()`: close the channel; `error(e)`: close it abruptly.
 * - A closed wire completes the subscriber; a broken one errors it.
 *
 * Received frames may be UTF-8 bytes or text; sent frames are UTF-8 bytes, or text when the
 * transport sets `textFrames`.
 *
 * Optional members let a transport tell the connection more; a transport without them
 * is never congested and never reconnects (the memory pair, for one).
 */
export interface Transport extends Subscribable<Uint8Array | string>, Observer<Uint8Array> {
  /**
   * True when `next()` also takes a frame as a string (the JSON text, to be sent as UTF-8):
   * the connection then hands over text and skips encoding it. WebSocket and memory
   * transports do; a transport that only handles bytes leaves this out.
   */
  readonly textFrames?: boolean;
  /** Sends one frame: UTF-8 bytes, or text when `textFrames` is set. */
  next(frame: Uint8Array | string): void;
  /** True while sent frames wait to be written (backpressure). */
  readonly congested?: boolean;
  /** Emits each time a congested transport can take frames again. */
  readonly drain$?: Subscribable<void>;
  /**
   * For a transport that reconnects beneath its connection: the link's state, the current
   * one first on subscribe. Frames complete only on the final close; a lost link is
   * `'reconnecting'`, and every frame received before it belongs to the old link.
   */
  readonly link$?: Subscribable<TransportLinkState>;
}
