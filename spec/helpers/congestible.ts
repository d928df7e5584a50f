/**
 * A transport whose congestion the test controls: wraps one end of a memory pair, reports
 * `congested` as told, and emits `drain$` on `release()`.
 */
import { Subject, type Observer, type Subscribable, type Unsubscribable } from 'rxjs';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  type JsonRpcConnectionOptions,
  type Transport,
} from '../../lib/index.js';

export class CongestibleTransport implements Transport {
  congested = false;
  readonly drain$ = new Subject<void>();

  constructor(private readonly inner: Transport) {}

  get textFrames(): boolean | undefined {
    return this.inner.textFrames;
  }

  subscribe(observer: Partial<Observer<Uint8Array | string>>): Unsubscribable {
    return (this.inner as Subscribable<Uint8Array | string>).subscribe(observer);
  }

  next(frame: Uint8Array | string): void {
    this.inner.next(frame);
  }

  error(error: unknown): void {
    this.inner.error(error);
  }

  complete(): void {
    this.inner.complete();
  }

  /** The client reads again: not congested, and a drain. */
  release(): void {
    this.congested = false;
    this.drain$.next();
  }
}

/** A client and a server whose transport (server → client) the test congests. */
export function congestiblePair(serverOptions?: JsonRpcConnectionOptions) {
  const [a, b] = createMemoryTransportPair();
  const wire = new CongestibleTransport(b);
  const server = new JsonRpcConnection(wire, JsonRpcConnectionType.SERVER, serverOptions);
  const client = new JsonRpcConnection(a, JsonRpcConnectionType.CLIENT);
  return { client, server, wire };
}

/** A wire that congests after every 20 frames and drains on the next turn: a slow reader. */
export class SlowWire extends CongestibleTransport {
  private frames = 0;

  override next(frame: Uint8Array | string): void {
    super.next(frame);
    if (++this.frames % 20 === 0) {
      this.congested = true;
      setImmediate(() => this.release());
    }
  }
}
