/**
 * Two transports joined back to back, in one process: the test bed, and the counterpart of
 * trio-jsonrpc's `open_jsonrpc_memory` / `serve_jsonrpc_memory`.
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import type { Transport } from './transport.js';

/** One end of a memory pair. */
class MemoryTransport extends Observable<Uint8Array | string> implements Transport {
  /** Text frames pass through as they are: nothing to encode or decode in one process. */
  readonly textFrames = true;
  /** The other end; set once by the pair. */
  peer!: MemoryTransport;
  private subscriber: Subscriber<Uint8Array | string> | undefined;
  /** Frames received and not yet delivered; `undefined` marks the end of the stream. */
  private readonly inbox: (Uint8Array | string | undefined)[] = [];
  private scheduled = false;
  /** Made once: a closure made inside `schedule()` would cost a context on every call. */
  private readonly flushSoon = (): void => this.flush();
  private sendingClosed = false;
  private receivingClosed = false;

  constructor() {
    super((subscriber) => {
      if (this.subscriber) {
        subscriber.error(new Error('A memory transport accepts one subscriber at a time'));
        return;
      }
      this.subscriber = subscriber;
      this.schedule();
      return () => {
        if (this.subscriber === subscriber) this.subscriber = undefined;
      };
    });
  }

  next(frame: Uint8Array | string): void {
    if (!this.sendingClosed) this.peer.receive(frame);
  }

  complete(): void {
    if (this.sendingClosed) return;
    this.sendingClosed = true;
    this.peer.receive(undefined);
    // Closing one end closes the channel: this end's reader ends too.
    this.receive(undefined);
  }

  error(): void {
    this.complete();
  }

  private receive(frame: Uint8Array | string | undefined): void {
    if (this.receivingClosed) return;
    if (frame === undefined) this.receivingClosed = true;
    else if (typeof frame === 'string') flatten(frame);
    this.inbox.push(frame);
    this.schedule();
  }

  /** Deliver on a microtask so that a frame never arrives inside the sender's `next()`. */
  private schedule(): void {
    if (this.scheduled || !this.subscriber || this.inbox.length === 0) return;
    this.scheduled = true;
    queueMicrotask(this.flushSoon);
  }

  private flush(): void {
    this.scheduled = false;
    const { inbox } = this;
    let index = 0;
    while (index < inbox.length && this.subscriber) {
      const frame = inbox[index++];
      if (frame === undefined) {
        this.sendingClosed = true;
        this.subscriber.complete();
      } else {
        this.subscriber.next(frame);
      }
    }
    inbox.splice(0, index);
  }
}

/**
 * Makes V8 store a text as one flat string now, not later. A text built by concatenation is
 * a tree of pieces; the reader flattens it anyway (JSON.parse needs a flat string), but a
 * frame queued here lives until the next microtask, and 10,000 queued trees are about three
 * times the bytes of 10,000 flat strings, bytes the garbage collector copies and promotes.
 * Reading a character is what flattens it.
 */
function flatten(text: string): void {
  text.charCodeAt(0);
}

/**
 * Creates two transports joined back to back: what one end sends, the other receives, in
 * order and asynchronously. Completing either end completes both.
 *
 * @example
 * const [clientSide, serverSide] = createMemoryTransportPair();
 * const server = new JsonRpcConnection(serverSide, JsonRpcConnectionType.SERVER);
 * const client = new JsonRpcConnection(clientSide, JsonRpcConnectionType.CLIENT);
 */
export function createMemoryTransportPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
