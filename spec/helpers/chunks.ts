/**
 * Byte-stream helpers for the framing specs: cut a stream into chunks, feed a decoder.
 */
import fc from 'fast-check';
import type { FrameDecoder, FrameOrError } from '../../lib/transports/framing/decoder.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (frame: Uint8Array): string => new TextDecoder().decode(frame);

/** Several byte arrays end to end. */
export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `stream` cut at the given positions (taken modulo its length, deduplicated). */
export function splitAt(stream: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(positions.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, stream.length]) {
    if (cut > start) chunks.push(stream.slice(start, cut));
    start = Math.max(start, cut);
  }
  return chunks;
}

/** Every chunk through the decoder, then its end: frames as text, errors as `code`. */
export function decodeAll(decoder: FrameDecoder, chunks: readonly Uint8Array[]): FrameOrError[] {
  const out: FrameOrError[] = [];
  for (const chunk of chunks) out.push(...decoder.push(chunk));
  out.push(...decoder.end());
  return out;
}

/** Items as readable strings: a frame's text, or `!code` for an error. */
export function summary(items: readonly FrameOrError[]): string[] {
  return items.map((item) => (item instanceof Uint8Array ? text(item) : `!${item.code}`));
}

/** Random cut positions for a stream. */
export const cuts = fc.array(fc.nat(), { maxLength: 40 });

/** JSON texts with any Unicode (multibyte UTF-8, astral characters) in their strings. */
export const jsonTexts = fc.array(fc.json({ stringUnit: 'binary', maxDepth: 3 }), {
  minLength: 1,
  maxLength: 8,
});
