/**
 * Frames on a `ws` WebSocket: their sizes, sending one as a text frame, reading one in, and
 * the socket's net.Socket to cork.
 * @module
 */
import type WebSocket from 'ws';
import type { RawData } from 'ws';

/** A frame as a transport takes it. */
export type Frame = Uint8Array | string;

const TEXT = { binary: false } as const;

/** The size of a frame in bytes (in UTF-16 units for text: close enough for a budget). */
export function sizeOf(frame: Frame): number {
  return typeof frame === 'string' ? frame.length : frame.byteLength;
}

/**
 * Sends a frame as a text frame, calling back `onFlushed` (if any) once it is written. ws
 * sends a string as text by itself: options would cost a spread on every send.
 */
export function sendText(socket: WebSocket, frame: Frame, onFlushed?: () => void): void {
  if (typeof frame === 'string') socket.send(frame, onFlushed);
  else socket.send(frame, TEXT, onFlushed);
}

/** What `ws` sends through: Node's net.Socket. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The socket's net.Socket, when it has one that can be corked. */
export function corkableOf(socket: WebSocket): Corkable | undefined {
  const stream = (socket as unknown as { _socket?: Partial<Corkable> })._socket;
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function'
    ? (stream as Corkable)
    : undefined;
}

/** A received text frame, decoded once. */
export function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return data instanceof ArrayBuffer ? Buffer.from(data).toString() : data.toString();
}

/** A received binary frame, as bytes. */
export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
