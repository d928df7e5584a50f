/**
 * What a decoder holds while a message is still arriving, measured after a full garbage
 * collection: for the framing specs' memory bounds. Not a spec of its own.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FrameDecoder, FrameOrError } from '../../lib/transports/framing/decoder.js';

// Mocha runs without --expose-gc; a context made after the flag is set sees `gc`. Without a
// collection, garbage from the chunks would blur a bound of a few bytes per byte.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap and ArrayBuffer bytes in use, garbage collected first. */
function bytesInUse(): number {
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** What {@link feedHalving} measured. */
export interface Held {
  /** Bytes pushed when the memory was measured: half the stream. */
  receivedBytes: number;
  /** Memory in use then, over what was in use before the first chunk. */
  heldBytes: number;
  /** Everything the decoder gave back, the end of the stream included. */
  items: FrameOrError[];
}

/**
 * Pushes `stream` into `decoder` in fresh chunks of `chunkBytes` (each its own buffer, as a
 * socket delivers them), measuring the memory held when half of it has been pushed.
 */
export function feedHalving(decoder: FrameDecoder, stream: Uint8Array, chunkBytes: number): Held {
  const items: FrameOrError[] = [];
  const half = Math.floor(stream.length / 2);
  const feed = (from: number, to: number): void => {
    for (let i = from; i < to; i += chunkBytes) {
      items.push(...decoder.push(stream.slice(i, Math.min(i + chunkBytes, to))));
    }
  };
  const before = bytesInUse();
  feed(0, half);
  const heldBytes = bytesInUse() - before;
  feed(half, stream.length);
  items.push(...decoder.end());
  return { receivedBytes: half, heldBytes, items };
}

/** `size` bytes of printable ASCII, no LF: a body or a line. */
export function letters(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = 0x61 + (i % 26);
  return out;
}

/** Whether two byte arrays hold the same bytes (chai's deep equality is slow on megabytes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
