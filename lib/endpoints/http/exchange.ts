/**
 * One HTTP POST as a transport: its body is the one frame received, the first answer the
 * connection writes is the response.
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import { encodeError } from '../../protocol/encode.js';
import type { Transport } from '../../transports/transport.js';
import { isCallFrame } from './frames.js';

/** What a POST's exchange tells the HTTP side. */
export interface ExchangeEnds {
  /** The connection's answer: the response body. */
  answer(text: string): void;
  /** The connection closed (from either side). */
  closed(): void;
}

const CALLBACK_REFUSED = {
  code: -32601,
  message: 'Method not found: an HTTP client cannot be called back (that needs WebSocket)',
};
const utf8 = new TextDecoder();

/**
 * The transport of one POST's connection. Calls the connection makes to the client (a request
 * or notification of a handler's) cannot travel: notifications are dropped, requests are
 * answered -32601 at once, so nothing waits for an answer that cannot come.
 */
export class HttpExchange extends Observable<Uint8Array | string> implements Transport {
  readonly textFrames = true;
  private subscriber: Subscriber<Uint8Array | string> | undefined = undefined;
  private answered = false;
  private ended = false;

  constructor(private readonly ends: ExchangeEnds) {
    super((subscriber) => {
      this.subscriber = subscriber;
      return () => (this.subscriber = undefined);
    });
  }

  /** True once the connection wrote its answer. */
  get hasAnswered(): boolean {
    return this.answered;
  }

  /** The POST's body, to the connection. */
  deliver(body: Uint8Array | string): void {
    this.subscriber?.next(body);
  }

  /** The client went away, or the server ends the exchange: the connection closes. */
  hangUp(): void {
    this.subscriber?.complete();
  }

  next(frame: Uint8Array | string): void {
    if (this.answered || this.ended) return;
    const text = typeof frame === 'string' ? frame : utf8.decode(frame);
    if (isCallFrame(text)) return this.refuse(text);
    this.answered = true;
    this.ends.answer(text);
  }

  complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.ends.closed();
  }

  error(): void {
    this.complete();
  }

  /** A call to the client: its requests get their -32601 answer on a microtask. */
  private refuse(text: string): void {
    const calls = ([] as { id?: unknown }[]).concat(JSON.parse(text) as { id?: unknown });
    const ids = calls.map((call) => call.id).filter((id) => id !== undefined);
    if (ids.length === 0) return;
    queueMicrotask(() => {
      for (const id of ids) {
        this.subscriber?.next(encodeError(id as number | string, CALLBACK_REFUSED));
      }
    });
  }
}
