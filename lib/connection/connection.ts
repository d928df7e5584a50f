/**
 * JsonRpcConnection: frames in, Observables of calls out; requests correlated to answers.
 * @module
 */
import type { Observable, Subscription, Unsubscribable } from 'rxjs';
import { serveCalls, type ServePort } from '../dispatch/serve.js';
import type { ServeOptions } from '../dispatch/options.js';
import type { JsonRpcHandlers } from '../methods/table.js';
import { toFrame } from '../protocol/encode.js';
import { ConnectionClosedError, JsonRpcError } from '../protocol/errors.js';
import type {
  JsonRpcCall,
  JsonRpcErrorObject,
  JsonRpcNotification,
  JsonRpcParams,
} from '../protocol/messages.js';
import type { JsonRpcAnyMethods } from '../protocol/method-map.js';
import { ObservedStreams } from '../streams/observed.js';
import type { ObserveOptions } from '../streams/options.js';
import { ServedStreams } from '../streams/served.js';
import type { Transport, TransportLinkState } from '../transports/transport.js';
import { checkCall } from './batch.js';
import { JsonRpcCaller } from './caller.js';
import { GuardedObservable } from '../util/guarded.js';
import { CONSUME, END, STREAMS, WRITE, type InboundHost, type ServeHost } from './hooks.js';
import { Inbound } from './inbound.js';
import {
  ConnectionLifecycle,
  type JsonRpcCloseEvent,
  type JsonRpcConnectionState,
} from './lifecycle.js';
import {
  JsonRpcConnectionType,
  resolveConnectionOptions,
  type JsonRpcConnectionOptions,
} from './options.js';

export type { RequestOptions } from './outgoing.js';
export type { JsonRpcCloseEvent, JsonRpcConnectionState } from './lifecycle.js';

/**
 * One JSON-RPC 2.0 connection over a transport. Either side may send requests and
 * notifications; incoming calls arrive on `requests$` or go to `serve()`.
 *
 * @typeParam Remote - the peer's methods, for typed `request()` / `notify()`
 * @typeParam Local - this side's methods, for a typed `serve()`
 * @example
 * const connection = new JsonRpcConnection(transport, JsonRpcConnectionType.CLIENT);
 * const sum = await connection.request('sum', [1, 2], { timeout: 5_000 });
 */
export class JsonRpcConnection<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>
  extends JsonRpcCaller<Remote>
  implements InboundHost, ServeHost
{
  /** This side's role. */
  readonly role: JsonRpcConnectionType;

  private readonly inbound: Inbound;
  // Made on first use, so that an idle connection stays small.
  private requestsView: Observable<JsonRpcCall> | undefined = undefined;
  private notificationsView: Observable<JsonRpcNotification> | undefined = undefined;
  /** `'open'`, `'closed'`, or a reconnecting transport's link state. */
  private currentState: JsonRpcConnectionState = 'open';
  private endEvent: JsonRpcCloseEvent | undefined = undefined;
  /** The Subjects of `state$` and `closed$`, made on first use. */
  private lifecycle: ConnectionLifecycle | undefined = undefined;
  /** The subscription to the transport's link state. */
  private link: Unsubscribable | undefined = undefined;
  private closeError: ConnectionClosedError | undefined = undefined;
  private served: ServedStreams | undefined = undefined;
  private observed: ObservedStreams | undefined = undefined;
  /** The transport takes frames as text: no UTF-8 encoding on this side. */
  private readonly textFrames: boolean;

  /**
   * @param transport - the frames to speak over; the connection subscribes at once
   * @param role - informational; any side may call the other @default PEER
   * @throws TypeError or RangeError for an invalid option
   */
  constructor(
    private readonly transport: Transport,
    role: JsonRpcConnectionType = JsonRpcConnectionType.PEER,
    options?: JsonRpcConnectionOptions,
  ) {
    if (!Object.values(JsonRpcConnectionType).includes(role)) {
      throw new TypeError(`Unknown connection role: ${String(role)}`);
    }
    super(resolveConnectionOptions(options));
    this.role = role;
    this.textFrames = transport.textFrames === true;
    this.inbound = new Inbound(this.options, this.outgoing, this);
    const link$ = transport.link$?.subscribe({ next: (state) => this.onLink(state) });
    transport.subscribe(this.inbound);
    if (this.closeError) link$?.unsubscribe();
    else this.link = link$;
  }

  /** Every incoming request and notification, in arrival order; completes on close. */
  get requests$(): Observable<JsonRpcCall> {
    return (this.requestsView ??= new GuardedObservable(
      this.inbound.calls.asObservable(),
      (error, call) => this.inbound.onSubscriberThrow(error, call),
    ));
  }

  /** Incoming notifications alone (but those an `observe$()` took); completes on close. */
  get notifications$(): Observable<JsonRpcNotification> {
    return (this.notificationsView ??= new GuardedObservable(
      this.inbound.notifications.asObservable(),
      (error, call) => this.options.onError(error, call),
    ));
  }

  /** Emits once, how the connection ended, then completes; replays to late subscribers. */
  get closed$(): Observable<JsonRpcCloseEvent> {
    return this.guarded(this.lifecycleOf().closed$);
  }

  /** The connection's state, the current one first; completes after `'closed'`. */
  get state$(): Observable<JsonRpcConnectionState> {
    return this.guarded(this.lifecycleOf().state$);
  }

  /** True when this side is the client. */
  get isClient(): boolean {
    return this.role === JsonRpcConnectionType.CLIENT;
  }

  /** True when this side is the server. */
  get isServer(): boolean {
    return this.role === JsonRpcConnectionType.SERVER;
  }

  /** True once the connection has closed, for whatever reason. */
  get closed(): boolean {
    return this.closeError !== undefined;
  }

  /** The current state (see `state$`). */
  get state(): JsonRpcConnectionState {
    return this.currentState;
  }

  /** Requests from the peer not yet answered. */
  get incomingCount(): number {
    return this.inbound.incomingCount;
  }

  /** Live stream subscriptions this side serves (made by `stream()` entries of `serve()`). */
  get subscriptionCount(): number {
    return this.served?.size ?? 0;
  }

  /** Live `observe$()` subscriptions of this side. */
  get observedCount(): number {
    return this.observed?.size ?? 0;
  }

  /**
   * A cold Observable of a server stream (one made by `stream()`, or any server speaking the
   * Ethereum / jsonrpsee pub/sub convention). Each subscription sends `name_subscribe` with
   * `params`, emits every value, errors with the server's error (rebuilt into its
   * `JsonRpcError` subclass) and completes when the server's Observable completes;
   * unsubscribing sends `name_unsubscribe`. Over a reconnecting transport it subscribes again
   * after each reconnect; otherwise a close errors it with `ConnectionClosedError`.
   * @throws TypeError at once for a name that is not a string, params of the wrong kind or an
   *   invalid option
   * @example
   * connection.observe$<number>('metrics', { every: 1000 }).pipe(map((m) => m.rss)).subscribe(draw);
   */
  observe$<T = unknown>(
    name: string,
    params?: JsonRpcParams,
    options?: ObserveOptions,
  ): Observable<T> {
    checkCall(name, params);
    return this.observedStreams().observe$(name, params, options) as Observable<T>;
  }

  /** Answers an incoming request with a result. Does nothing for a notification, or a request already answered or cancelled. */
  replyWithResult(request: JsonRpcCall, result: unknown): Promise<void> {
    this.inbound.answer(request, undefined, result);
    return Promise.resolve();
  }

  /** Answers an incoming request with an error. Does nothing for a notification, or a request already answered or cancelled. */
  replyWithError(request: JsonRpcCall, error: JsonRpcError | JsonRpcErrorObject): Promise<void> {
    this.inbound.answer(request, error instanceof JsonRpcError ? error : JsonRpcError.from(error));
    return Promise.resolve();
  }

  /** The signal of an incoming request: aborted when the peer cancels it or the connection closes. */
  signalOf(request: JsonRpcCall): AbortSignal {
    return this.inbound.signalOf(request);
  }

  /**
   * Answers incoming calls from a method table. One `serve()` at a time per connection.
   * @returns unsubscribe to stop serving; handlers in flight are cancelled (-32800)
   * @throws Error when this connection is already being served
   */
  serve(methods: JsonRpcHandlers<Local, this>, options?: ServeOptions<this>): Subscription {
    if (this.inbound.serving) {
      throw new Error('This connection is already being served: unsubscribe the first serve()');
    }
    // The port is the receiving side; its `connection` is this connection.
    return serveCalls(this.inbound as unknown as ServePort<this>, methods, options);
  }

  /** Closes the connection: pending requests reject, handlers' signals abort, streams complete. */
  close(): Promise<void> {
    this.shutdown({ reason: 'local' });
    return Promise.resolve();
  }

  /** @see {@link STREAMS} */
  [STREAMS](): ServedStreams {
    return (this.served ??= new ServedStreams({
      send: (text) => this[WRITE](text),
      transport: this.transport,
      reportError: (error, call) => this.options.onError(error, call),
    }));
  }

  /** @see {@link CONSUME} */
  [CONSUME](notification: JsonRpcNotification): boolean {
    return this.observed?.consume(notification) === true;
  }

  /** @see {@link WRITE} */
  [WRITE](text: string): void {
    // Nothing is written once closed, nor while a reconnecting transport has no link.
    if (this.currentState !== 'open') return;
    this.transport.next(this.textFrames ? text : toFrame(text));
  }

  /** @see {@link END} */
  [END](event: JsonRpcCloseEvent): void {
    this.shutdown(event);
  }

  /** `source$` for direct subscribers whose throws go to `onError`. */
  private guarded<T>(source$: Observable<T>): Observable<T> {
    return new GuardedObservable(source$, (error) => this.options.onError(error));
  }

  private lifecycleOf(): ConnectionLifecycle {
    return (this.lifecycle ??= new ConnectionLifecycle(this.currentState, this.endEvent));
  }

  private observedStreams(): ObservedStreams {
    return (this.observed ??= new ObservedStreams({
      request: (method, params, settle) =>
        this.outgoing.request(method, params, { timeout: 0 }, settle),
      timeoutMs: this.options.timeoutMs,
      forsake: (id, late) => this.outgoing.forsake(id, late),
      release: (notification) => this.inbound.deliver(notification),
      online: () => this.currentState === 'open',
      maxEarlyNotifications: this.options.maxEarlyNotifications,
      reportError: (error) => this.options.onError(error),
    }));
  }

  /** A reconnecting transport's link came or went; the connection lives on. */
  private onLink(state: TransportLinkState): void {
    const previous = this.currentState;
    if (this.closeError || state === previous) return;
    this.currentState = state;
    this.lifecycle?.set(state);
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

  private shutdown(event: JsonRpcCloseEvent): void {
    if (this.closeError) return;
    const options = event.error === undefined ? undefined : { cause: event.error };
    this.closeError = new ConnectionClosedError(
      event.reason === 'local' ? 'Connection closed' : 'Connection closed by the peer',
      options,
    );
    this.currentState = 'closed';
    this.link?.unsubscribe();
    this.inbound.unsubscribe();
    if (event.reason !== 'error') this.transport.complete();
    this.outgoing.close(this.closeError);
    this.observed?.closeAll(this.closeError);
    this.served?.closeAll();
    this.inbound.end();
    this.endEvent = event;
    this.lifecycle?.end(event);
  }
}
