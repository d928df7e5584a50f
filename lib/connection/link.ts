/**
 * A connection's link to its peer: the transport, whether the link is open, reconnecting or
 * closed, the one way to write a frame, and what each change of link does to the calls and
 * streams that live on it.
 * @module
 */
import { AsyncSubject, BehaviorSubject, of, type Observable, type Unsubscribable } from 'rxjs';
import { toFrame } from '../protocol/encode.js';
import { ConnectionClosedError } from '../protocol/errors.js';
import type {
  JsonRpcCall,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcResponse,
} from '../protocol/messages.js';
import { ObservedStreams, type ObservePort } from '../streams/observed.js';
import { ServedStreams, type StreamPort } from '../streams/served.js';
import type { Transport, TransportLinkState } from '../transports/transport.js';
import { LeanSubscriber } from '../util/lean-subscriber.js';
import { Inbound, type InboundPort } from './inbound.js';
import type { ResolvedConnectionOptions } from './options.js';
import { OutgoingCalls, type OutgoingPort } from './outgoing.js';
import type { Settle } from './pending.js';

/** How a connection ended, as `closed$` reports it. */
export interface JsonRpcCloseEvent {
  /** `'local'`: `close()` was called; `'remote'`: the wire closed; `'error'`: it broke. */
  readonly reason: 'local' | 'remote' | 'error';
  /** The transport's error, for `'error'`. */
  readonly error?: unknown;
}

/**
 * A connection's state: `'open'`, then `'closed'`; over a reconnecting transport also
 * `'connecting'` (before its first link) and `'reconnecting'` (a link was lost).
 */
export type JsonRpcConnectionState = TransportLinkState | 'closed';

/**
 * The owner of a connection's link state, and the connection's subscriber to its transport.
 * Its parts read the state from it and write through it; it tells them when the link comes,
 * goes or ends.
 */
export class Link
  extends LeanSubscriber<Uint8Array | string>
  implements OutgoingPort, InboundPort, StreamPort, ObservePort
{
  /** Our calls: requests awaiting answers, frames waiting for a link. */
  readonly outgoing: OutgoingCalls;
  /** The peer's calls and our answers. */
  readonly inbound: Inbound;
  private current: JsonRpcConnectionState = 'open';
  private endError: ConnectionClosedError | undefined = undefined;
  private endEvent: JsonRpcCloseEvent | undefined = undefined;
  /** The transport takes frames as text: no UTF-8 encoding on this side. */
  private readonly textFrames: boolean;
  /** A reconnecting transport's link state, subscribed while the connection lives. */
  private linkState: Unsubscribable | undefined = undefined;
  // Each made on first use, so that an idle connection stays small.
  private stateSubject: BehaviorSubject<JsonRpcConnectionState> | undefined = undefined;
  private endSubject: AsyncSubject<JsonRpcCloseEvent> | undefined = undefined;
  private served: ServedStreams | undefined = undefined;
  private observed: ObservedStreams | undefined = undefined;

  constructor(
    readonly transport: Transport,
    readonly options: ResolvedConnectionOptions,
  ) {
    super();
    this.textFrames = transport.textFrames === true;
    this.outgoing = new OutgoingCalls(options, this);
    this.inbound = new Inbound(this);
  }

  /** Subscribes to the transport: its link state first, then its frames. */
  start(): void {
    const linkState = this.transport.link$?.subscribe({ next: (state) => this.change(state) });
    this.transport.subscribe(this);
    if (this.endError) linkState?.unsubscribe();
    else this.linkState = linkState;
  }

  /** `'open'`, `'closed'`, or a reconnecting transport's link state. */
  get state(): JsonRpcConnectionState {
    return this.current;
  }

  /** True while frames can be written. */
  get online(): boolean {
    return this.current === 'open';
  }

  /** Why the connection ended; undefined while it lives. */
  get closeError(): ConnectionClosedError | undefined {
    return this.endError;
  }

  /** True once the connection has ended. */
  get ended(): boolean {
    return this.endError !== undefined;
  }

  /** The state, the current one first; completes after `'closed'`. */
  get state$(): Observable<JsonRpcConnectionState> {
    // A completed BehaviorSubject replays nothing: after the end, 'closed' comes from `of`.
    if (this.ended) return of<JsonRpcConnectionState>('closed');
    return (this.stateSubject ??= new BehaviorSubject(this.current)).asObservable();
  }

  /** Emits how the connection ended, then completes; replays to late subscribers. */
  get closed$(): Observable<JsonRpcCloseEvent> {
    if (!this.endSubject) {
      this.endSubject = new AsyncSubject<JsonRpcCloseEvent>();
      if (this.endEvent) {
        this.endSubject.next(this.endEvent);
        this.endSubject.complete();
      }
    }
    return this.endSubject.asObservable();
  }

  /** Writes one frame's text; nothing once closed, nor while a reconnecting link is down. */
  write(text: string): void {
    if (this.current !== 'open') return;
    this.transport.next(this.textFrames ? text : toFrame(text));
  }

  /** The server subscriptions of this connection (its `stream()` entries), made on first use. */
  streams(): ServedStreams {
    return (this.served ??= new ServedStreams(this));
  }

  /** The `observe$()` subscriptions of this connection, made on first use. */
  observedStreams(): ObservedStreams {
    return (this.observed ??= new ObservedStreams(this));
  }

  /** Live server subscriptions. */
  get servedCount(): number {
    return this.served?.size ?? 0;
  }

  /** Live `observe$()` subscriptions. */
  get observedCount(): number {
    return this.observed?.size ?? 0;
  }

  /** An answer to one of our requests. */
  settle(response: JsonRpcResponse): void {
    this.outgoing.settle(response);
  }

  /** Offers a notification to the `observe$()` streams; true when one took it. */
  consume(notification: JsonRpcNotification): boolean {
    return this.observed?.consume(notification) === true;
  }

  /** A request of an `observe$()` stream: no timeout of its own. */
  request(method: string, params: JsonRpcParams | undefined, settle: Settle): number | undefined {
    return this.outgoing.request(method, params, { timeout: 0 }, settle);
  }

  forsake(id: number, late: (result: unknown) => void): void {
    this.outgoing.forsake(id, late);
  }

  /** A notification no `observe$()` stream took: on to `requests$` and `notifications$`. */
  release(notification: JsonRpcNotification): void {
    this.inbound.deliver(notification);
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  get maxEarlyNotifications(): number {
    return this.options.maxEarlyNotifications;
  }

  reportError(error: unknown, call?: JsonRpcCall): void {
    this.options.onError(error, call);
  }

  /** Ends the connection, once: see {@link change} for a link that only drops. */
  end(event: JsonRpcCloseEvent): void {
    if (this.endError) return;
    const options = event.error === undefined ? undefined : { cause: event.error };
    const error = new ConnectionClosedError(
      event.reason === 'local' ? 'Connection closed' : 'Connection closed by the peer',
      options,
    );
    this.endError = error;
    this.current = 'closed';
    this.linkState?.unsubscribe();
    this.unsubscribe();
    if (event.reason !== 'error') this.transport.complete();
    this.outgoing.close(error);
    this.observed?.closeAll(error);
    this.served?.closeAll();
    this.inbound.end();
    this.endEvent = event;
    this.stateSubject?.next('closed');
    this.stateSubject?.complete();
    this.endSubject?.next(event);
    this.endSubject?.complete();
  }

  protected onNext(frame: Uint8Array | string): void {
    try {
      this.inbound.receive(frame);
    } catch (error) {
      // Not expected (handlers' throws are caught where they run); never into the transport.
      this.options.onError(error);
    }
  }

  protected onError(error: unknown): void {
    this.end({ reason: 'error', error });
  }

  protected onComplete(): void {
    this.end({ reason: 'remote' });
  }

  /** A reconnecting transport's link came or went; the connection lives on. */
  private change(state: TransportLinkState): void {
    const previous = this.current;
    if (this.endError || state === previous) return;
    this.current = state;
    this.stateSubject?.next(state);
    if (state === 'open') {
      this.outgoing.linkOpen();
      this.observed?.linkOpen();
    } else if (previous === 'open') {
      // What was in flight on the lost link is gone; it is never re-sent.
      this.observed?.linkLost();
      this.outgoing.linkLost(new ConnectionClosedError('Connection lost'));
      this.inbound.cancelIncoming();
      this.served?.closeAll();
    }
  }
}
