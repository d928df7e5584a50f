/**
 * The server subscriptions of one connection: ids, the per-connection limit, and the pumping
 * of queues when the transport drains.
 * @module
 */
import { interval, type Unsubscribable } from 'rxjs';
import { JsonRpcError } from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import type { Transport } from '../transports/transport.js';
import {
  DEFAULT_MAX_SUBSCRIPTIONS,
  JsonRpcStreamErrorCode,
  type ResolvedStreamOptions,
} from './options.js';
import { ServedSubscription, type SubscriptionPort } from './subscription.js';

/** What the subscriptions need of their connection. */
export interface StreamPort {
  /** Writes one frame's text (nothing once the link is gone). */
  write(text: string): void;
  readonly transport: Transport;
  reportError(error: unknown, call: JsonRpcCall): void;
}

/** Polling period for a transport that reports congestion but no drain. */
const POLL_MS = 10;

/** The live server subscriptions of one connection, by id. */
export class ServedStreams implements SubscriptionPort {
  /** Past it, `_subscribe` is answered -32011. Set by `serve()`. */
  maxSubscriptions = DEFAULT_MAX_SUBSCRIPTIONS;
  private readonly live = new Map<string, ServedSubscription>();
  private readonly backlogged = new Set<ServedSubscription>();
  private waiting: Unsubscribable | undefined = undefined;

  constructor(private readonly port: StreamPort) {}

  /** Live subscriptions, those whose answer or last notifications are still on their way included. */
  get size(): number {
    return this.live.size;
  }

  /**
   * A new subscription, counted at once; `start()` it once its answer is on the wire.
   * @throws JsonRpcError -32011 past `maxSubscriptions`
   */
  open(
    owner: object,
    call: JsonRpcCall,
    notification: string,
    options: ResolvedStreamOptions,
  ): ServedSubscription {
    if (this.live.size >= this.maxSubscriptions) {
      const data = { maxSubscriptions: this.maxSubscriptions };
      throw new JsonRpcError(
        JsonRpcStreamErrorCode.TooManySubscriptions,
        'Too many subscriptions',
        data,
      );
    }
    const id = randomId();
    const subscription = new ServedSubscription(id, owner, call, notification, options, this);
    this.live.set(id, subscription);
    return subscription;
  }

  /** Ends the subscription `id` of `owner`; false when unknown, ended or another stream's. */
  unsubscribe(id: unknown, owner: object): boolean {
    const subscription = typeof id === 'string' ? this.live.get(id) : undefined;
    if (subscription?.owner !== owner) return false;
    this.discard(subscription);
    return true;
  }

  /** Ends a subscription without a terminal notification and forgets it. */
  discard(subscription: ServedSubscription): void {
    subscription.close();
    this.ended(subscription);
  }

  /** Ends every subscription: `cancel` tells the clients (serving stopped), else silently (link gone). */
  closeAll(cancel = false): void {
    const all = [...this.live.values()];
    this.live.clear();
    this.backlogged.clear();
    this.stopWaiting();
    for (const subscription of all) {
      if (cancel) subscription.cancel();
      else subscription.close();
    }
  }

  write(text: string): void {
    this.port.write(text);
  }

  congested(): boolean {
    return this.port.transport.congested === true;
  }

  backlog(subscription: ServedSubscription): void {
    this.backlogged.add(subscription);
    if (this.waiting) return;
    const drain$ = this.port.transport.drain$;
    this.waiting = drain$
      ? drain$.subscribe({ next: () => this.pumpAll() })
      : interval(POLL_MS).subscribe(() => this.pumpAll());
  }

  ended(subscription: ServedSubscription): void {
    if (this.live.get(subscription.id) === subscription) this.live.delete(subscription.id);
    this.backlogged.delete(subscription);
    if (this.backlogged.size === 0) this.stopWaiting();
  }

  reportError(error: unknown, call: JsonRpcCall): void {
    this.port.reportError(error, call);
  }

  /** Round robin: each waiting subscription sends until the transport congests; the rest go last. */
  private pumpAll(): void {
    for (const subscription of [...this.backlogged]) {
      if (this.congested()) break;
      this.backlogged.delete(subscription);
      if (subscription.pump()) this.backlogged.add(subscription);
    }
    if (this.backlogged.size === 0) this.stopWaiting();
  }

  private stopWaiting(): void {
    this.waiting?.unsubscribe();
    this.waiting = undefined;
  }
}

/** 128 random bits as `0x…` hex: never guessable, never reused after a restart. */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = '0x';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
