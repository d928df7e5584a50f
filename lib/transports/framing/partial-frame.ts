/**
 * Where a decoder holds a frame that is still arriving, over as many chunks as it takes.
 * Pure: no I/O, no Node, no RxJS.
 * @module
 */

const NOTHING = new Uint8Array(0);
/** The least room a buffer is made with, so that short pieces do not grow it piece by piece. */
const MIN_BUFFER_BYTES = 256;

/**
 * The bytes received of a frame that spans chunks, held in a few bytes per byte and copied a
 * few times at most, however small the chunks. The first piece is kept as the view it came
 * as, so that a frame cut in two is copied once, when it is taken; the pieces after it are
 * copied into one buffer that doubles as it fills, up to the frame's largest possible
 * length. Keeping a view per piece instead cost about 100 bytes a piece, and kept each
 * piece's chunk alive: 200 bytes per byte received bytewise.
 */
export class PartialFrame {
  /** The first piece, as it came, while it is the only one. */
  private first: Uint8Array | undefined = undefined;
  /** Once a second piece came: all the bytes held, from index 0. */
  private buffer = NOTHING;
  private held = 0;

  /** Bytes held. */
  get length(): number {
    return this.held;
  }

  /**
   * Holds `piece` after the bytes held.
   * @param maxBytes - the most the whole frame can hold: its length when known, else the
   *   decoder's limit; the buffer is never made larger
   */
  append(piece: Uint8Array, maxBytes: number): void {
    if (this.held === 0) {
      this.first = piece;
      this.held = piece.length;
      return;
    }
    const held = this.held + piece.length;
    if (held > this.buffer.length) {
      // Room for as much again: each copy of the bytes held is paid for by as many appended.
      this.grow(Math.min(maxBytes, Math.max(2 * held, MIN_BUFFER_BYTES)));
    }
    this.buffer.set(piece, this.held);
    this.held = held;
  }

  /**
   * The bytes held followed by `last`, in one array, and holds none after: `last` itself, or
   * the first piece, when the other is empty; else a view of the buffer, which is not
   * written again. A frame's bytes are thus copied once, or once more than the buffer grew.
   */
  take(last: Uint8Array): Uint8Array {
    const bytes = this.held + last.length;
    let frame: Uint8Array;
    if (this.held === 0) frame = last;
    else if (last.length === 0 && this.first) frame = this.first;
    else {
      if (bytes > this.buffer.length) this.grow(bytes);
      this.buffer.set(last, this.held);
      frame = bytes === this.buffer.length ? this.buffer : this.buffer.subarray(0, bytes);
    }
    this.clear();
    return frame;
  }

  /** Holds nothing more, and lets go of the buffer. */
  clear(): void {
    this.first = undefined;
    this.buffer = NOTHING;
    this.held = 0;
  }

  /** Moves the bytes held to a new buffer of `size` bytes. */
  private grow(size: number): void {
    const buffer = new Uint8Array(size);
    buffer.set(this.first ?? this.buffer.subarray(0, this.held));
    this.first = undefined;
    this.buffer = buffer;
  }
}
