/**
 * Test bed: two connections over a memory pair, or one connection and a raw peer transport
 * to speak frames to it directly.
 */
import type { Observable } from 'rxjs';
import { firstValueFrom, take, toArray } from 'rxjs';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  type JsonRpcConnectionOptions,
  type Transport,
} from '../../lib/index.js';

export function connectionPair(
  serverOptions?: JsonRpcConnectionOptions,
  clientOptions?: JsonRpcConnectionOptions,
): { client: JsonRpcConnection; server: JsonRpcConnection } {
  const [a, b] = createMemoryTransportPair();
  const server = new JsonRpcConnection(b, JsonRpcConnectionType.SERVER, serverOptions);
  const client = new JsonRpcConnection(a, JsonRpcConnectionType.CLIENT, clientOptions);
  return { client, server };
}

/** A connection under test and a raw wire end: send JSON text, read JSON back. */
export class RawPeer {
  readonly connection: JsonRpcConnection;
  private readonly received: unknown[] = [];
  private waiters: (() => void)[] = [];
  private readonly decoder = new TextDecoder();

  constructor(options?: JsonRpcConnectionOptions) {
    const [raw, mine] = createMemoryTransportPair();
    this.wire = raw;
    this.connection = new JsonRpcConnection(mine, JsonRpcConnectionType.SERVER, options);
    raw.subscribe({
      next: (frame) => {
        this.received.push(
          JSON.parse(typeof frame === 'string' ? frame : this.decoder.decode(frame)),
        );
        this.waiters.splice(0).forEach((wake) => wake());
      },
    });
  }

  readonly wire: Transport;

  send(text: string): void {
    this.wire.next(new TextEncoder().encode(text));
  }

  /** The next `count` frames the connection sends, parsed. */
  async read(count = 1): Promise<unknown[]> {
    const deadline = Date.now() + 2000;
    while (this.received.length < count) {
      if (Date.now() > deadline)
        throw new Error(`Expected ${count} frame(s), got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.splice(0, count);
  }

  /** Frames received so far and not read, after the queue of pending deliveries drained. */
  async drain(): Promise<unknown[]> {
    await settle();
    return this.received.splice(0);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** Waits until pending microtasks and one macrotask have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function collect<T>(source$: Observable<T>, count: number): Promise<T[]> {
  return firstValueFrom(source$.pipe(take(count), toArray()));
}
