/**
 * Frames to framed bytes for the Node stream transport: pooled buffers, and text encoded
 * straight into the framed buffer (one copy, no intermediate array).
 * @module
 */
import { encodeContentLength } from '../framing/content-length.js';
import type { EncodeOptions } from '../framing/decoder.js';
import { encodeNewline } from '../framing/newline.js';
import type { StreamFraming } from './options.js';

/** Pooled and not zeroed: the encoders fill the whole buffer. */
const POOLED: EncodeOptions = { allocate: (size) => Buffer.allocUnsafe(size) };

/** A frame (bytes or JSON text) with its framing, in one buffer. */
export type FrameEncoder = (frame: Uint8Array | string) => Uint8Array;

/** The encoder of a framing. */
export function frameEncoder(framing: StreamFraming): FrameEncoder {
  return framing === 'newline' ? newlineFrame : contentLengthFrame;
}

function contentLengthFrame(frame: Uint8Array | string): Uint8Array {
  if (typeof frame !== 'string') return encodeContentLength(frame, POOLED);
  const length = Buffer.byteLength(frame);
  const header = `Content-Length: ${length}\r\n\r\n`;
  const out = Buffer.allocUnsafe(header.length + length);
  out.write(header, 0, 'latin1');
  out.write(frame, header.length, 'utf8');
  return out;
}

function newlineFrame(frame: Uint8Array | string): Uint8Array {
  // Raw newlines (pretty-printed JSON) are rare: the byte encoder turns them into spaces.
  if (typeof frame !== 'string' || frame.includes('\n') || frame.includes('\r')) {
    return encodeNewline(typeof frame === 'string' ? Buffer.from(frame) : frame, POOLED);
  }
  const length = Buffer.byteLength(frame);
  const out = Buffer.allocUnsafe(length + 1);
  out.write(frame, 0, 'utf8');
  out[length] = 0x0a;
  return out;
}
