/**
 * Raw `ws` sends grouped the way rxjs-jsonrpc's WebSocketTransport groups them: the frames of
 * one turn go out at its end, corked sixteen to a system call. The raw echo with this
 * grouping is the limit for a library that writes so.
 */
import type WebSocket from 'ws';

const FRAMES_PER_WRITE = 16;
/** Buffers go out as text frames, as the raw echo sends what it received. */
const TEXT = { binary: false };

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** A send function for `socket` that writes each turn's frames in groups. */
export function groupedSender(socket: WebSocket): (frame: string | Buffer) => void {
  const outbox: (string | Buffer)[] = [];
  const stream = (socket as unknown as { _socket: Corkable })._socket;
  const flush = (): void => {
    for (let i = 0; i < outbox.length; i += FRAMES_PER_WRITE) {
      stream.cork();
      for (let j = i; j < Math.min(i + FRAMES_PER_WRITE, outbox.length); j++) {
        const frame = outbox[j]!;
        if (typeof frame === 'string') socket.send(frame);
        else socket.send(frame, TEXT);
      }
      stream.uncork();
    }
    outbox.length = 0;
  };
  return (frame) => {
    if (outbox.push(frame) === 1) queueMicrotask(flush);
  };
}
