/**
 * `serve()`: a method table answering a connection's incoming calls.
 * @module
 */
import { isObservable, Subscription } from 'rxjs';
import { count } from '../util/options.js';
import {
  InternalError,
  JsonRpcError,
  MethodNotFoundError,
  RequestCancelledError,
} from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '../streams/options.js';
import { StreamRoutes } from './stream-routes.js';
import type { ServedStreams } from '../streams/served.js';
import { CallQueue } from './call-queue.js';
import {
  firstValue,
  HandlerContext,
  invoke,
  type ContextPort,
  isPromiseLike,
  lookup,
  type AnyHandler,
} from './invoke.js';
import type { JsonRpcMiddleware } from '../methods/handler.js';
import { DEFAULT_MAX_QUEUED_NOTIFICATIONS, type ServeOptions } from './options.js';

/** What the connection calls on a running `serve()`: it takes every incoming call. */
export interface CallDispatcher {
  next(call: JsonRpcCall): void;
  /** The peer cancelled `call`, or its link was lost: it must not run if it has not yet. */
  withdraw(call: JsonRpcCall): void;
  /** Serving stops: calls in flight are cancelled. */
  unsubscribe(): void;
  /** Resolves once no handler runs or waits for a slot (at once when none does). */
  idle(): Promise<void>;
}

/** What `serve()` needs of a connection's receiving side. */
export interface ServePort {
  /** Gives every incoming call to `server` until {@link detach}; ends it when the connection ends. */
  attach(server: CallDispatcher): void;
  detach(server: CallDispatcher): void;
  signalOf(call: JsonRpcCall): AbortSignal;
  /**
   * Answers a call; `onSent` runs once the answer is on the wire (a batch's answer waits for
   * its every member). False when the call is no longer awaiting an answer.
   */
  answer(
    call: JsonRpcCall,
    error: JsonRpcError | undefined,
    result?: unknown,
    onSent?: () => void,
  ): boolean;
  /** The connection's server subscriptions, made on first use. */
  streams(): ServedStreams;
  /** Cancels an unanswered request: its signal aborts and it is answered -32800. */
  abandon(call: JsonRpcCall): void;
  reportError(error: unknown, call: JsonRpcCall): void;
}

/**
 * Serves `methods` on the port's calls; handlers see `connection` in their context.
 * Unsubscribing cancels the handlers in flight.
 */
export function serveCalls<Connection>(
  port: ServePort,
  connection: Connection,
  methods: object,
  options: ServeOptions<Connection> = {},
): Subscription {
  const dispatcher = new Dispatcher(port, connection, methods, options);
  port.attach(dispatcher);
  return dispatcher;
}

const NO_MIDDLEWARE: readonly JsonRpcMiddleware[] = Object.freeze([]);

/**
 * Runs the handlers of one `serve()`: it takes the connection's calls, and is the
 * subscription `serve()` returns. Methods, not closures: a served connection stays small.
 */
class Dispatcher<Connection>
  extends Subscription
  implements CallDispatcher, ContextPort<Connection>
{
  private readonly concurrency: number;
  private readonly middleware: readonly JsonRpcMiddleware[];
  private readonly routes: StreamRoutes | undefined;
  private readonly maxQueuedNotifications: number;
  /** Calls waiting for a free slot, and those whose handler still runs (sync ones never). */
  private waiting: CallQueue | undefined = undefined;
  private running: Set<JsonRpcCall> | undefined = undefined;
  private active = 0;
  /** True while {@link finish} takes waiting calls: handlers that answer at once must not recurse. */
  private draining = false;
  /** Notifications dropped by `maxQueuedNotifications` since the last one queued. */
  private dropped = 0;
  /** Who waits for {@link idle}; made on first use. */
  private idleWaiters: (() => void)[] | undefined = undefined;

  constructor(
    private readonly port: ServePort,
    readonly connection: Connection,
    private readonly methods: object,
    options: ServeOptions<Connection>,
  ) {
    super();
    if (typeof methods !== 'object' || methods === null) {
      throw new TypeError('serve() takes an object mapping method names to handlers');
    }
    this.concurrency = count('concurrency', options.concurrency, Infinity);
    this.maxQueuedNotifications = count(
      'maxQueuedNotifications',
      options.maxQueuedNotifications,
      DEFAULT_MAX_QUEUED_NOTIFICATIONS,
    );
    const maxSubscriptions = count(
      'maxSubscriptions',
      options.maxSubscriptions,
      DEFAULT_MAX_SUBSCRIPTIONS,
    );
    const middleware = options.middleware ?? NO_MIDDLEWARE;
    if (!Array.isArray(middleware) || middleware.some((m) => typeof m !== 'function')) {
      throw new TypeError('The "middleware" option must be an array of functions');
    }
    this.middleware =
      middleware.length === 0 ? NO_MIDDLEWARE : (middleware as readonly JsonRpcMiddleware[]);
    this.routes = StreamRoutes.of(methods, () => {
      const streams = port.streams();
      streams.maxSubscriptions = maxSubscriptions;
      return streams;
    });
  }

  /** One incoming call. */
  next(call: JsonRpcCall): void {
    const handler = this.handlerOf(call.method);
    if (!handler) {
      if (call.id !== undefined) this.port.answer(call, new MethodNotFoundError());
    } else if (this.active < this.concurrency) {
      this.run(call, handler);
    } else {
      this.enqueue(call);
    }
  }

  withdraw(call: JsonRpcCall): void {
    this.waiting?.delete(call);
    this.wakeIdle();
  }

  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  private get isIdle(): boolean {
    return this.closed || (this.active === 0 && (this.waiting?.size ?? 0) === 0);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    if (!waiters || !this.isIdle) return;
    this.idleWaiters = undefined;
    for (const wake of waiters) wake();
  }

  /** A handler's signal: see {@link HandlerContext}. */
  signalOf(call: JsonRpcCall): AbortSignal {
    return this.port.signalOf(call);
  }

  /** Serving stops: waiting and running calls are cancelled, streams end. */
  override unsubscribe(): void {
    if (this.closed) return;
    super.unsubscribe();
    this.port.detach(this);
    const calls = [...(this.waiting?.drain() ?? []), ...(this.running ?? [])];
    for (const call of calls) this.port.abandon(call);
    this.routes?.stop();
    this.wakeIdle();
  }

  private handlerOf(method: string): AnyHandler | undefined {
    return lookup(this.methods, method) ?? this.routes?.handler(method);
  }

  private run(call: JsonRpcCall, handler: AnyHandler): void {
    this.active++;
    const context = new HandlerContext(this, call);
    let value: unknown;
    try {
      value =
        this.middleware.length === 0
          ? handler(call.params, context)
          : invoke(handler, context, this.middleware);
      if (isObservable(value)) value = firstValue(value, context.signal);
    } catch (error) {
      this.fail(call, error);
      return this.finish(call);
    }
    if (!isPromiseLike(value)) {
      this.succeed(call, value);
      return this.finish(call);
    }
    this.await(call, value);
  }

  // A method of its own: closures in run() would cost a context on every call, sync ones too.
  private await(call: JsonRpcCall, value: PromiseLike<unknown>): void {
    (this.running ??= new Set()).add(call);
    value.then(
      (result) => {
        this.succeed(call, result);
        this.finish(call);
      },
      (error: unknown) => {
        this.fail(call, error);
        this.finish(call);
      },
    );
  }

  private succeed(call: JsonRpcCall, result: unknown): void {
    const opened = this.routes?.claim(call);
    if (!opened) return void this.port.answer(call, undefined, result);
    // A stream's values may only follow its subscribe answer onto the wire.
    if (!this.port.answer(call, undefined, opened.id, () => opened.start())) {
      this.port.streams().discard(opened);
    }
  }

  private fail(call: JsonRpcCall, error: unknown): void {
    const opened = this.routes?.claim(call);
    if (opened) this.port.streams().discard(opened);
    if (error instanceof JsonRpcError && call.id !== undefined) {
      return void this.port.answer(call, error);
    }
    if (!(error instanceof RequestCancelledError)) this.port.reportError(error, call);
    this.port.answer(call, new InternalError());
  }

  /**
   * Queues a call for a free slot. Requests are bounded by the connection's
   * `maxIncomingRequests` (each stays unanswered while it waits); notifications by
   * `maxQueuedNotifications`, past which they are dropped. A flood is reported twice, not once
   * per notification: its first drop, then how many followed once one is queued again.
   */
  private enqueue(call: JsonRpcCall): void {
    const waiting = (this.waiting ??= new CallQueue());
    const limit = this.maxQueuedNotifications;
    if (call.id === undefined) {
      if (waiting.notifications >= limit) {
        if (this.dropped++ > 0) return;
        const message = `Notification "${call.method}" dropped: ${limit} notifications already wait for a handler (maxQueuedNotifications); further drops are counted until one is queued again`;
        return this.port.reportError(new Error(message), call);
      }
      if (this.dropped > 1) {
        const message = `${this.dropped - 1} more notifications dropped: ${limit} waited for a handler (maxQueuedNotifications)`;
        this.port.reportError(new Error(message), call);
      }
      this.dropped = 0;
    }
    waiting.push(call);
  }

  // A loop, not recursion: a handler that answers at once finishes inside run(), and a long
  // queue must not deepen the stack.
  private finish(call: JsonRpcCall): void {
    this.active--;
    this.running?.delete(call);
    if (this.draining) return;
    this.draining = true;
    try {
      let next: JsonRpcCall | undefined;
      while (this.active < this.concurrency && (next = this.waiting?.shift()) !== undefined) {
        this.next(next);
      }
    } finally {
      this.draining = false;
    }
    this.wakeIdle();
  }
}
