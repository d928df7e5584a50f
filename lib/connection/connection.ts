/**
 * JsonRpcConnection: frames in, Observables of calls out; requests correlated to answers.
 * @module
 */
import { AsyncSubject, Observable, Subject, type Subscription, type Unsubscribable } from 'rxjs';
import { serveCalls, type ServePort } from '../dispatch/serve.js';
import type { JsonRpcHandlers, ServeOptions } from '../dispatch/handler.js';
import {
  answerToInvalid,
  decodeBatch,
  parseError,
  parseFrame,
  toMessage,
  UNPARSABLE,
} from '../protocol/decode.js';
import { encodeCall, encodeError, encodeResult, joinBatch, toFrame } from '../protocol/encode.js';
import {
  ConnectionClosedError,
  InternalError,
  JsonRpcError,
  MethodNotFoundError,
  RequestCancelledError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
} from '../protocol/errors.js';
import {
  isJsonRpcNotification,
  type JsonRpcCall,
  type JsonRpcErrorObject,
  type JsonRpcErrorResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcParams,
  type JsonRpcRequest,
} from '../protocol/messages.js';
import type {
  JsonRpcAnyMethods,
  JsonRpcCallArgs,
  JsonRpcMethodName,
  JsonRpcResultOf,
} from '../protocol/method-map.js';
import type { Transport } from '../transports/transport.js';
import { BatchBuilder, checkCall } from './batch.js';
import { GuardedObservable } from './guarded.js';
import { BatchReply, IncomingRequest, IncomingRequests } from './incoming.js';
import {
  JsonRpcConnectionType,
  resolveConnectionOptions,
  timeoutOption,
  type JsonRpcConnectionOptions,
  type ResolvedConnectionOptions,
} from './options.js';
import { PendingRequest, PendingRequests, type Settle } from './pending.js';

/** Per-call options of `request()` and `request$()`. */
export interface RequestOptions {
  /** Aborting it cancels the request: it rejects at once and the peer is told. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the answer; `0` waits for ever. @default the connection's `timeout` */
  timeout?: number;
}

/** How a connection ended, as `closed$` reports it. */
export interface JsonRpcCloseEvent {
  /** `'local'`: `close()` was called; `'remote'`: the wire closed; `'error'`: it broke. */
  readonly reason: 'local' | 'remote' | 'error';
  /** The transport's error, for `'error'`. */
  readonly error?: unknown;
}

const TOO_MANY_INCOMING = -32000;

type CallArgs = [JsonRpcParams | undefined, RequestOptions | undefined];

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
  /** This side's role. */
  readonly role: JsonRpcConnectionType;
  /** Every incoming request and notification, in arrival order; completes on close. */
  readonly requests$: Observable<JsonRpcCall>;
  /** Incoming notifications alone; completes on close. */
  readonly notifications$: Observable<JsonRpcNotification>;
  /** Emits once, how the connection ended, then completes; replays to late subscribers. */
  readonly closed$: Observable<JsonRpcCloseEvent>;

  private readonly options: ResolvedConnectionOptions;
  private readonly pending = new PendingRequests();
  private readonly incoming = new IncomingRequests();
  private readonly calls = new Subject<JsonRpcCall>();
  private readonly notifications = new Subject<JsonRpcNotification>();
  private readonly closedEvent = new AsyncSubject<JsonRpcCloseEvent>();
  private link: Unsubscribable | undefined;
  /** Aborted on close: the signal of notifications' handlers. */
  private readonly lifetime = new AbortController();
  private closeError: ConnectionClosedError | undefined = undefined;
  private serving: Subscription | undefined = undefined;
  private nextId = 1;

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
    this.role = role;
    this.options = resolveConnectionOptions(options);
    this.requests$ = new GuardedObservable(this.calls.asObservable(), (error, call) =>
      this.onSubscriberThrow(error, call),
    );
    this.notifications$ = new GuardedObservable(this.notifications.asObservable(), (error, call) =>
      this.options.onError(error, call),
    );
    this.closed$ = this.closedEvent.asObservable();
    const link = transport.subscribe({
      next: (frame) => this.receive(frame),
      error: (error: unknown) => this.shutdown({ reason: 'error', error }),
      complete: () => this.shutdown({ reason: 'remote' }),
    });
    if (this.closeError) link.unsubscribe();
    else this.link = link;
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

  /** Requests of ours awaiting an answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Requests from the peer not yet answered. */
  get incomingCount(): number {
    return this.incoming.size;
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
  ): Promise<JsonRpcResultOf<Remote[M]>> {
    const [params, options] = args as CallArgs;
    checkCall(method, params);
    return new Promise((resolve, reject) => {
      this.start(method, params, options, (error, result) =>
        error ? reject(error) : resolve(result as JsonRpcResultOf<Remote[M]>),
      );
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
      const id = this.start(method, params, options, (error, result) => {
        if (error) return subscriber.error(error);
        subscriber.next(result as JsonRpcResultOf<Remote[M]>);
        subscriber.complete();
      });
      return () => {
        if (id !== undefined) this.abandon(id, new RequestCancelledError());
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
    if (this.closeError) return Promise.reject(this.closeError);
    try {
      this.send(encodeCall(method, params, undefined));
      return Promise.resolve();
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
    const builder = new BatchBuilder<Remote>((method, params, options, settle) =>
      this.register(method, params, options, settle),
    );
    const value = build(builder);
    const texts = builder.seal();
    if (texts.length > 0) this.send(joinBatch(texts));
    return value;
  }

  /** Answers an incoming request with a result. Does nothing for a notification, or a request already answered or cancelled. */
  replyWithResult(request: JsonRpcCall, result: unknown): Promise<void> {
    this.answer(request, undefined, result);
    return Promise.resolve();
  }

  /** Answers an incoming request with an error. Does nothing for a notification, or a request already answered or cancelled. */
  replyWithError(request: JsonRpcCall, error: JsonRpcError | JsonRpcErrorObject): Promise<void> {
    this.answer(request, error instanceof JsonRpcError ? error : JsonRpcError.from(error));
    return Promise.resolve();
  }

  /** The signal of an incoming request: aborted when the peer cancels it or the connection closes. */
  signalOf(request: JsonRpcCall): AbortSignal {
    if (request.id === undefined) return this.lifetime.signal;
    return this.incoming.get(request)?.signal ?? AbortSignal.abort();
  }

  /**
   * Answers incoming calls from a method table. One `serve()` at a time per connection.
   * @returns unsubscribe to stop serving; handlers in flight are cancelled (-32800)
   * @throws Error when this connection is already being served
   */
  serve(methods: JsonRpcHandlers<Local, this>, options?: ServeOptions<this>): Subscription {
    if (this.serving && !this.serving.closed) {
      throw new Error('This connection is already being served: unsubscribe the first serve()');
    }
    this.serving = serveCalls(this.servePort(), methods, options);
    return this.serving;
  }

  /** Closes the connection: pending requests reject, handlers' signals abort, streams complete. */
  close(): Promise<void> {
    this.shutdown({ reason: 'local' });
    return Promise.resolve();
  }

  private servePort(): ServePort<this> {
    return {
      connection: this,
      calls$: this.calls,
      signalOf: (call) => this.signalOf(call),
      answer: (call, error, result) => this.answer(call, error, result),
      abandon: (call) => this.cancelIncoming(this.incoming.get(call), true),
      reportError: (error, call) => this.options.onError(error, call),
    };
  }

  /** Registers and sends a request; its id while it is pending, else undefined. */
  private start(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions | undefined,
    settle: Settle,
  ): number | undefined {
    const id = this.register(method, params, options, settle);
    if (id === undefined) return undefined;
    try {
      this.send(encodeCall(method, params, id));
      return id;
    } catch (error) {
      this.pending.take(id)?.settle(error as Error);
      return undefined;
    }
  }

  /** Registers a request before its frame is written; undefined when it was settled at once. */
  private register(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions = {},
    settle: Settle,
  ): number | undefined {
    const { signal } = options;
    const timeoutMs = timeoutOption('timeout', options.timeout, this.options.timeoutMs);
    if (this.closeError) return void settle(this.closeError);
    if (signal?.aborted) return void settle(new RequestCancelledError());
    if (this.pending.size >= this.options.maxPendingRequests) {
      return void settle(new TooManyPendingRequestsError(this.options.maxPendingRequests));
    }
    const id = this.nextId++;
    const entry = new PendingRequest(id, settle);
    this.pending.add(entry);
    if (timeoutMs > 0) {
      entry.timer = setTimeout(
        () => this.abandon(id, new RequestTimeoutError(method, timeoutMs)),
        timeoutMs,
      );
    }
    if (signal) {
      entry.signal = signal;
      entry.onAbort = () => this.abandon(id, new RequestCancelledError());
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    return id;
  }

  /** Gives up on a request of ours: it rejects with `error` and the peer is told. */
  private abandon(id: number, error: Error): void {
    const entry = this.pending.take(id);
    if (!entry) return;
    entry.settle(error);
    const { cancellation } = this.options;
    if (cancellation && cancellation.send && !this.closeError) {
      this.send(encodeCall(cancellation.method, { [cancellation.idField]: id }, undefined));
    }
  }

  private receive(frame: Uint8Array | string): void {
    const value = parseFrame(frame);
    if (value === UNPARSABLE) return this.sendError(parseError());
    if (!Array.isArray(value) || value.length === 0) {
      const message = toMessage(value);
      if (message) return this.route(message, undefined);
      const error = answerToInvalid(value);
      if (error) this.sendError(error);
      return;
    }
    const decoded = decodeBatch(value, this.options.maxBatchSize);
    const batch = new BatchReply((text) => this.send(text));
    for (const error of decoded.errors) batch.add(encodeError(error.id, error.error), false);
    for (const message of decoded.messages) this.route(message, batch);
    batch.seal();
  }

  private sendError(response: JsonRpcErrorResponse): void {
    this.send(encodeError(response.id, response.error));
  }

  private route(message: JsonRpcMessage, batch: BatchReply | undefined): void {
    if ('method' in message) {
      if (isJsonRpcNotification(message)) this.onNotification(message);
      else this.onRequest(message, batch);
      return;
    }
    const entry = this.pending.take(message.id);
    if (!entry) return; // a late or unknown answer: dropped, never answered
    if ('error' in message) entry.settle(JsonRpcError.from(message.error));
    else entry.settle(undefined, message.result);
  }

  private onRequest(request: JsonRpcRequest, batch: BatchReply | undefined): void {
    const entry = new IncomingRequest(request, batch);
    batch?.expect();
    if (this.incoming.size >= this.options.maxIncomingRequests) {
      this.incoming.add(entry);
      const data = { maxIncomingRequests: this.options.maxIncomingRequests };
      return this.answer(
        request,
        new JsonRpcError(TOO_MANY_INCOMING, 'Too many concurrent requests', data),
      );
    }
    this.incoming.add(entry);
    if (this.calls.observed) this.calls.next(request);
    else this.answer(request, new MethodNotFoundError());
  }

  private onNotification(notification: JsonRpcNotification): void {
    const { cancellation } = this.options;
    if (cancellation && notification.method === cancellation.method) {
      const params = notification.params as Record<string, unknown> | undefined;
      const id = params?.[cancellation.idField];
      const entry =
        typeof id === 'string' || typeof id === 'number' ? this.incoming.getById(id) : undefined;
      return this.cancelIncoming(entry, cancellation.answer);
    }
    this.calls.next(notification);
    this.notifications.next(notification);
  }

  private cancelIncoming(entry: IncomingRequest | undefined, answer: boolean): void {
    if (!entry) return;
    if (answer) {
      this.answer(entry.request, new RequestCancelledError());
    } else {
      this.incoming.delete(entry);
      entry.batch?.drop();
    }
    entry.cancel();
  }

  private onSubscriberThrow(error: unknown, call: JsonRpcCall): void {
    this.options.onError(error, call);
    this.answer(call, new InternalError());
  }

  /** Sends the answer to an incoming request, once; a result JSON cannot carry becomes -32603. */
  private answer(call: JsonRpcCall, error: JsonRpcError | undefined, result?: unknown): void {
    const entry = this.incoming.get(call);
    if (!entry) return;
    this.incoming.delete(entry);
    const { id } = entry.request;
    let text: string;
    try {
      text = error ? encodeError(id, error.toJSON()) : encodeResult(id, result);
    } catch (cause) {
      this.options.onError(cause, call);
      text = encodeError(id, new InternalError().toJSON());
    }
    if (entry.batch) entry.batch.add(text, true);
    else this.send(text);
  }

  private send(text: string): void {
    if (this.closeError) return;
    this.transport.next(toFrame(text));
  }

  private shutdown(event: JsonRpcCloseEvent): void {
    if (this.closeError) return;
    const options = event.error === undefined ? undefined : { cause: event.error };
    this.closeError = new ConnectionClosedError(
      event.reason === 'local' ? 'Connection closed' : 'Connection closed by the peer',
      options,
    );
    this.link?.unsubscribe();
    this.lifetime.abort();
    if (event.reason !== 'error') this.transport.complete();
    for (const entry of this.pending.takeAll()) entry.settle(this.closeError);
    this.incoming.cancelAll();
    this.calls.complete();
    this.notifications.complete();
    this.closedEvent.next(event);
    this.closedEvent.complete();
  }
}
