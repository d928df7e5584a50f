/**
 * One live server subscription: its Observable, its bounded queue and its end.
 * @module
 */
import type { Observable, Subscription } from 'rxjs';
import { InternalError, JsonRpcError, RequestCancelledError } from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import { Fifo } from '../util/fifo.js';
import { JsonRpcStreamEvent } from './event.js';
import { JsonRpcStreamErrorCode, type ResolvedStreamOptions } from './options.js';

/** What a subscription needs of the connection it streams to. */
export interface SubscriptionPort {
  /** Writes one frame's text (nothing once the link is gone). */
  write(text: string): void;
  /** True while the transport cannot take more frames. */
  congested(): boolean;
  /** The subscription holds values: pump it when the transport drains. */
  backlog(subscription: ServedSubscription): void;
  /** The subscription is over: forget it. */
  ended(subscription: ServedSubscription): void;
  reportError(error: unknown, call: JsonRpcCall): void;
}

type State = 'waiting' | 'live' | 'ending' | 'closed';

/**
 * A subscription's life: `waiting` until its subscribe answer is on the wire, then `live`
 * (values flow, queued while the transport is congested), `ending` once its Observable ended
 * and its queue and terminal notification still drain, then `closed`.
 */
export class ServedSubscription {
  private readonly controller = new AbortController();
  private readonly queue = new Fifo<unknown>();
  private dropped = 0;
  private terminalText: string | undefined = undefined;
  private state: State = 'waiting';
  private source$: Observable<unknown> | undefined = undefined;
  private source: Subscription | undefined = undefined;
  /** The notification's text up to the subscription id: shared by every frame. */
  private readonly prefix: string;
  /** Sources awaiting {@link drained}; made when one waits. */
  private drainWaiters: (() => void)[] | undefined = undefined;

  constructor(
    readonly id: string,
    readonly owner: object,
    readonly call: JsonRpcCall,
    notification: string,
    private readonly options: ResolvedStreamOptions,
    private readonly port: SubscriptionPort,
  ) {
    this.prefix = `{"jsonrpc":"2.0","method":${JSON.stringify(notification)},"params":{"subscription":${JSON.stringify(id)}`;
  }

  /** Aborted when the subscription ends, for any reason. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Resolves once every value sent is handed to the transport and it takes more (at once when
   * nothing waits), or when the subscription ends: a source replaying a backlog awaits it
   * between chunks instead of overflowing the queue.
   */
  drained(): Promise<void> {
    if (this.state === 'closed' || (this.queue.length === 0 && !this.port.congested())) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      (this.drainWaiters ??= []).push(resolve);
      this.port.backlog(this);
    });
  }

  /** The Observable to stream, subscribed by `start()`. */
  attach(source$: Observable<unknown>): void {
    this.source$ = source$;
  }

  /** The subscribe answer is on the wire: subscribe to the Observable. */
  start(): void {
    if (this.state !== 'waiting' || !this.source$) return;
    this.state = 'live';
    const subscription = this.source$.subscribe({
      next: (value) => this.push(value),
      error: (error: unknown) => this.end(this.errorText(error)),
      complete: () => this.end(`${this.prefix},"complete":true}}`),
    });
    // It may have ended (or lagged) while subscribing.
    if (this.state === 'live') this.source = subscription;
    else subscription.unsubscribe();
  }

  /**
   * Sends queued values while the transport takes them; then the terminal notification.
   * @returns whether anything still waits
   */
  pump(): boolean {
    const { queue } = this;
    // Bounded by maxQueue; a failed value empties the queue.
    while (queue.length > 0 && this.state !== 'closed' && !this.port.congested()) {
      this.sendValue(queue.shift());
    }
    if (queue.length === 0 && !this.port.congested()) this.wake();
    if (queue.length > 0 || this.state !== 'ending') {
      return queue.length > 0 || this.drainWaiters !== undefined;
    }
    if (this.terminalText !== undefined) {
      if (this.port.congested()) return true;
      this.port.write(this.terminalText);
    }
    this.close();
    this.port.ended(this);
    return false;
  }

  /** Ends it now, without a terminal notification (unsubscribe, connection gone). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.source?.unsubscribe();
    this.source = undefined;
    this.queue.clear();
    this.terminalText = undefined;
    this.controller.abort();
    this.wake();
  }

  /** Ends it now, telling the client it was cancelled (serving stopped). */
  cancel(): void {
    if (this.state === 'live' && this.options.terminal) {
      this.port.write(this.errorText(new RequestCancelledError('Subscription cancelled')));
    }
    this.close();
  }

  private push(value: unknown): void {
    if (this.state !== 'live') return;
    const { queue } = this;
    if (!this.port.congested()) {
      if (queue.length > 0) this.pump();
      if (this.state !== 'live') return;
      if (queue.length === 0) return this.sendValue(value);
    }
    const { overflow, maxQueue } = this.options;
    if (overflow === 'keep-latest') {
      // Conflate: while the client is slow, only the newest value matters.
      while (queue.length > 0) this.drop(queue.shift());
    } else if (queue.length >= maxQueue) {
      if (overflow === 'error') return this.lag();
      this.drop(queue.shift());
    }
    queue.push(value);
    this.port.backlog(this);
  }

  /** A value the client will not get: counted, with those its source lost before it. */
  private drop(value: unknown): void {
    this.dropped += 1 + (value instanceof JsonRpcStreamEvent ? value.dropped : 0);
  }

  /** Lets sources waiting in {@link drained} go on. */
  private wake(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    waiters?.forEach((resolve) => resolve());
  }

  /** The queue overflowed under the 'error' policy: the subscription ends with -32010. */
  private lag(): void {
    this.queue.clear();
    const { maxQueue: limit } = this.options;
    const error = new JsonRpcError(
      JsonRpcStreamErrorCode.SubscriptionLagged,
      'subscription lagged',
      {
        limit,
      },
    );
    this.end(this.errorText(error));
  }

  /** The Observable ended (or lagged): drain the queue, then the terminal notification. */
  private end(terminalText: string): void {
    if (this.state !== 'live') return;
    this.state = 'ending';
    this.source?.unsubscribe();
    this.source = undefined;
    this.controller.abort();
    if (this.options.terminal) this.terminalText = terminalText;
    if (this.pump()) this.port.backlog(this);
  }

  private sendValue(item: unknown): void {
    let text: string;
    try {
      const event = item instanceof JsonRpcStreamEvent ? item : undefined;
      const value: unknown = event ? event.value : item;
      if (event) this.dropped += event.dropped;
      text = `${this.prefix},"result":${JSON.stringify(value) ?? 'null'}${this.extras(value, event)}}}`;
    } catch (error) {
      this.queue.clear();
      this.end(this.errorText(error));
      return;
    }
    this.port.write(text);
  }

  /** `dropped` and `eventId`, when there are. */
  private extras(value: unknown, event: JsonRpcStreamEvent | undefined): string {
    let text = '';
    if (this.dropped > 0) {
      text = `,"dropped":${this.dropped}`;
      this.dropped = 0;
    }
    const eventId = event?.eventId ?? this.options.eventId?.(value);
    if (eventId !== undefined) text += `,"eventId":${JSON.stringify(eventId)}`;
    return text;
  }

  /** A terminal error notification: a JsonRpcError as it is, anything else as -32603. */
  private errorText(error: unknown): string {
    if (error instanceof JsonRpcError) {
      try {
        return `${this.prefix},"error":${JSON.stringify(error.toJSON())}}}`;
      } catch (cause) {
        error = cause;
      }
    }
    this.port.reportError(error, this.call);
    return `${this.prefix},"error":${JSON.stringify(new InternalError().toJSON())}}}`;
  }
}
