/**
 * The transport contract: a Subject of byte frames.
 * @module
 */
import type { Observer, Subscribable } from 'rxjs';

/**
 * A duplex channel of whole frames, one JSON text each.
 *
 * - `subscribe(observer)`: frames received; at most one subscriber is expected (the
 *   connection). Frames are delivered asynchronously, never from inside `next()`.
 * - `next(frame)`: send one frame.
 * - `complete()`: close the channel; `error(e)`: close it abruptly.
 * - A closed wire completes the subscriber; a broken one errors it.
 *
 * Received frames may be UTF-8 bytes or text; sent frames are UTF-8 bytes.
 */
export interface Transport extends Subscribable<Uint8Array | string>, Observer<Uint8Array> {}
