/**
 * JsonRpcConnection: frames in, Observables of calls out; requests correlated to answers.
 * @module
 */
import { Observable, type Subscription } from 'rxjs';
import type { ServeOptions } from '../dispatch/options.js';
import { serveCalls } from '../dispatch/serve.js';
import type { JsonRpcHandlers } from '../methods/table.js';
import { encodeCall } from '../protocol/encode.js';
import { JsonRpcError, RequestCancelledError } from '../protocol/errors.js';
import type {
  JsonRpcCall,
  JsonRpcErrorObject,
  JsonRpcNotification,
  JsonRpcParams,
} from '../protocol/messages.js';
import type {
  JsonRpcAnyMethods,
  JsonRpcCallArgs,
  JsonRpcMethodName,
  JsonRpcResultOf,
} from '../protocol/method-map.js';
import type { ObserveOptions } from '../streams/options.js';
import type { Transport } from '../transports/transport.js';
import { GuardedObservable } from '../util/guarded.js';
import { BatchBuilder, checkCall } from './batch.js';
import { exposeOutgoing } from './endpoint-hook.js';
import { Link, type JsonRpcCloseEvent, type JsonRpcConnectionState } from './link.js';
import {
  JsonRpcConnectionType,
  resolveConnectionOptions,
  type JsonRpcConnectionOptions,
} from './options.js';
import type { RequestOptions } from './outgoing.js';
import { PendingRequest } from './pending.js';

export type { RequestOptions } from './outgoing.js';
export type { JsonRpcCloseEvent, JsonRpcConnectionState } from './link.js';

type CallArgs = [JsonRpcParams | undefined, RequestOptions | undefined];

const ignore = (): void => undefined;

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
> {
  static {
    exposeOutgoing((connection) => (connection as JsonRpcConnection).link.outgoing);
  }

  /** This side's role. */
  readonly role: JsonRpcConnectionType;

  /** The transport, the link's state, and the calls both ways. */
  private readonly link: Link;
  // Made on first use, so that an idle connection stays small.
  private requestsView: Observable<JsonRpcCall> | undefined = undefined;
  private notificationsView: Observable<JsonRpcNotification> | undefined = undefined;

  /**
   * @param transport - the frames to speak over; the connection subscribes at once
   * @param role - informational; any side may call the other @default PEER
   * @throws TypeError or RangeError for an invalid option
   */
  constructor(
    transport: Transport,
    role: JsonRpcConnectionType = JsonRpcConnectionType.PEER,
    options?: JsonRpcConnectionOptions,
  ) {
    if (!Object.values(JsonRpcConnectionType).includes(role)) {
      throw new TypeError(`Unknown connection role: ${String(role)}`);
    }
    this.role = role;
    this.link = new Link(transport, resolveConnectionOptions(options));
    this.link.start();
  }

  /** Every incoming request and notification, in arrival order; completes on close. */
  get requests$(): Observable<JsonRpcCall> {
    const { inbound } = this.link;
    return (this.requestsView ??= new GuardedObservable(
      inbound.calls.asObservable(),
      (error, call) => inbound.onSubscriberThrow(error, call),
    ));
  }

  /** Incoming notifications alone (but those an `observe$()` took); completes on close. */
  get notifications$(): Observable<JsonRpcNotification> {
    return (this.notificationsView ??= new GuardedObservable(
      this.link.inbound.notifications.asObservable(),
      (error, call) => this.link.options.onError(error, call),
    ));
  }

  /** Emits once, how the connection ended, then completes; replays to late subscribers. */
  get closed$(): Observable<JsonRpcCloseEvent> {
    return this.guarded(this.link.closed$);
  }

  /** The connection's state, the current one first; completes after `'closed'`. */
  get state$(): Observable<JsonRpcConnectionState> {
    return this.guarded(this.link.state$);
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
    return this.link.ended;
  }

  /** The current state (see `state$`). */
  get state(): JsonRpcConnectionState {
    return this.link.state;
  }

  /** Requests from the peer not yet answered. */
  get incomingCount(): number {
    return this.link.inbound.incomingCount;
  }

  /** Live stream subscriptions this side serves (made by `stream()` entries of `serve()`). */
  get subscriptionCount(): number {
    return this.link.servedCount;
  }

  /** Live `observe$()` subscriptions of this side. */
  get observedCount(): number {
    return this.link.observedCount;
  }

  /** Requests of ours awaiting an answer (those waiting for a link included). */
  get pendingCount(): number {
    return this.link.outgoing.size;
  }

  /**
   * Sends a request and resolves with its result.
   * @returns the result; rejects with the peer's `JsonRpcError` (rebuilt into its subclass),
   *   `RequestTimeoutError`, `RequestCancelledError`, `ConnectionClosedError` or
   *   `TooManyPendingRequestsError`
   * @throws TypeError at once for a method that is not a string or params that are neither
   *   an array nor an object
   */
  request<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], RequestOptions>
  ): Promise<JsonRpcResultOf<Remote[M]>>;
  // Plain parameters, not a rest array to destructure: one allocation less per call.
  request(method: string, params?: unknown, options?: RequestOptions): Promise<unknown> {
    checkCall(method, params);
    return new Promise((resolve, reject) => {
      // An invalid option throws here, and rejects the promise as an executor's throw does.
      const entry = new PendingRequest(resolve, reject);
      this.link.outgoing.send(method, params as JsonRpcParams | undefined, options, entry);
    });
  }

  /**
   * A cold Observable of one request: sends on subscribe, emits the result once and
   * completes; unsubscribing before the answer cancels the request.
   * @throws TypeError at once, as `request()`
   */
  request$<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], RequestOptions>
  ): Observable<JsonRpcResultOf<Remote[M]>> {
    const [params, options] = args as CallArgs;
    checkCall(method, params);
    return new Observable((subscriber) => {
      const id = this.link.outgoing.request(method, params, options, (error, result) => {
        if (error) return subscriber.error(error);
        subscriber.next(result as JsonRpcResultOf<Remote[M]>);
        subscriber.complete();
      });
      return () => {
        if (id !== undefined) this.link.outgoing.abandon(id, new RequestCancelledError());
      };
    });
  }

  /**
   * Sends a notification: no answer will come, not even an error.
   * @returns resolves once handed to the transport; rejects with `ConnectionClosedError`
   * @throws TypeError at once, as `request()`
   */
  notify<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], never>
  ): Promise<void> {
    const [params] = args as CallArgs;
    checkCall(method, params);
    try {
      return this.link.outgoing.notify(encodeCall(method, params, undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends several calls as one batch frame. The calls made on the builder inside `build`
   * go out together when it returns; each request keeps its own promise.
   * @returns what `build` returned
   * @example
   * const [sum, diff] = connection.batch((b) => [b.request('sum', [1, 2]), b.request('sub', [4, 2])]);
   */
  batch<T>(build: (batch: BatchBuilder<Remote>) => T): T {
    const builder = new BatchBuilder<Remote>(this.link.outgoing);
    let value: T;
    try {
      value = build(builder);
    } catch (error) {
      // Nothing is sent; no promise made inside is left pending, nor unhandled.
      const { ids, promises } = builder.seal();
      for (const promise of promises) promise.catch(ignore);
      this.link.outgoing.discard(
        ids,
        new RequestCancelledError('Not sent: the batch() callback threw'),
      );
      throw error;
    }
    this.link.outgoing.transmitBatch(builder.seal());
    return value;
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
    return this.link.observedStreams().observe$(name, params, options) as Observable<T>;
  }

  /** Answers an incoming request with a result. Does nothing for a notification, or a request already answered or cancelled. */
  replyWithResult(request: JsonRpcCall, result: unknown): Promise<void> {
    this.link.inbound.answer(request, undefined, result);
    return Promise.resolve();
  }

  /** Answers an incoming request with an error. Does nothing for a notification, or a request already answered or cancelled. */
  replyWithError(request: JsonRpcCall, error: JsonRpcError | JsonRpcErrorObject): Promise<void> {
    this.link.inbound.answer(
      request,
      error instanceof JsonRpcError ? error : JsonRpcError.from(error),
    );
    return Promise.resolve();
  }

  /** The signal of an incoming request: aborted when the peer cancels it or the connection closes. */
  signalOf(request: JsonRpcCall): AbortSignal {
    return this.link.inbound.signalOf(request);
  }

  /**
   * Answers incoming calls from a method table. One `serve()` at a time per connection.
   * @returns unsubscribe to stop serving; handlers in flight are cancelled (-32800)
   * @throws Error when this connection is already being served
   */
  serve(methods: JsonRpcHandlers<Local, this>, options?: ServeOptions<this>): Subscription {
    const { inbound } = this.link;
    if (inbound.serving) {
      throw new Error('This connection is already being served: unsubscribe the first serve()');
    }
    return serveCalls(inbound, this, methods, options);
  }

  /**
   * Resolves once no handler of `serve()` runs or waits for a slot, notifications' handlers
   * included (at once when there is none, or nothing is served): for a graceful end, or an
   * HTTP exchange that answers only when its notifications are handled.
   */
  idle(): Promise<void> {
    return this.link.inbound.idle();
  }

  /** Closes the connection: pending requests reject, handlers' signals abort, streams complete. */
  close(): Promise<void> {
    this.link.end({ reason: 'local' });
    return Promise.resolve();
  }

  /** `source$` for direct subscribers whose throws go to `onError`. */
  private guarded<T>(source$: Observable<T>): Observable<T> {
    return new GuardedObservable(source$, (error) => this.link.options.onError(error));
  }
}
