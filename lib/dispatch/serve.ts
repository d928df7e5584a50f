/**
 * `serve()`: a method table answering a connection's incoming calls.
 * @module
 */
import { isObservable, type Observable, Subscription } from 'rxjs';
import { count } from '../connection/options.js';
import {
  InternalError,
  JsonRpcError,
  MethodNotFoundError,
  RequestCancelledError,
} from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import type {
  JsonRpcHandler,
  JsonRpcHandlerContext,
  JsonRpcMiddleware,
  ServeOptions,
} from './handler.js';

/** What `serve()` needs of a connection. */
export interface ServePort<Connection> {
  readonly connection: Connection;
  readonly calls$: Observable<JsonRpcCall>;
  signalOf(call: JsonRpcCall): AbortSignal;
  answer(call: JsonRpcCall, error: JsonRpcError | undefined, result?: unknown): void;
  /** Cancels an unanswered request: its signal aborts and it is answered -32800. */
  abandon(call: JsonRpcCall): void;
  reportError(error: unknown, call: JsonRpcCall): void;
}

type AnyHandler = JsonRpcHandler<unknown, unknown, unknown>;

/** Subscribes `methods` to the port's calls; unsubscribing cancels the handlers in flight. */
export function serveCalls<Connection>(
  port: ServePort<Connection>,
  methods: object,
  options: ServeOptions<Connection> = {},
): Subscription {
  if (typeof methods !== 'object' || methods === null) {
    throw new TypeError('serve() takes an object mapping method names to handlers');
  }
  const concurrency = count('concurrency', options.concurrency, Infinity);
  const middleware = options.middleware ?? [];
  if (!Array.isArray(middleware) || middleware.some((m) => typeof m !== 'function')) {
    throw new TypeError('The "middleware" option must be an array of functions');
  }
  const waiting: JsonRpcCall[] = [];
  const running = new Set<JsonRpcCall>();

  const run = (call: JsonRpcCall, handler: AnyHandler): void => {
    running.add(call);
    const context = new HandlerContext(port, call);
    invoke(handler, context, middleware as readonly JsonRpcMiddleware[])
      .then(
        (result) => port.answer(call, undefined, result),
        (error: unknown) => {
          if (error instanceof JsonRpcError && !context.isNotification) {
            port.answer(call, error);
          } else {
            if (!(error instanceof RequestCancelledError)) port.reportError(error, call);
            port.answer(call, new InternalError());
          }
        },
      )
      .finally(() => {
        running.delete(call);
        let next: JsonRpcCall | undefined;
        while (running.size < concurrency && (next = waiting.shift()) !== undefined) {
          const nextHandler = lookup(methods, next.method);
          if (nextHandler) run(next, nextHandler);
        }
      })
      .catch((error: unknown) => port.reportError(error, call));
  };

  const subscription = port.calls$.subscribe((call) => {
    const handler = lookup(methods, call.method);
    if (!handler) {
      if (call.id !== undefined) port.answer(call, new MethodNotFoundError());
    } else if (running.size < concurrency) {
      run(call, handler);
    } else {
      waiting.push(call);
    }
  });
  subscription.add(() => {
    for (const call of [...waiting.splice(0), ...running]) port.abandon(call);
  });
  return subscription;
}

/** The handler for `method`: an own property that is a function (never `__proto__`&co). */
function lookup(methods: object, method: string): AnyHandler | undefined {
  if (!Object.hasOwn(methods, method)) return undefined;
  const handler = (methods as Record<string, unknown>)[method];
  return typeof handler === 'function' ? (handler as AnyHandler) : undefined;
}

class HandlerContext<Connection> implements JsonRpcHandlerContext<Connection> {
  readonly method: string;
  readonly isNotification: boolean;
  readonly connection: Connection;

  constructor(
    private readonly port: ServePort<Connection>,
    readonly request: JsonRpcCall,
  ) {
    this.method = request.method;
    this.isNotification = request.id === undefined;
    this.connection = port.connection;
  }

  get signal(): AbortSignal {
    return this.port.signalOf(this.request);
  }
}

function invoke(
  handler: AnyHandler,
  context: HandlerContext<unknown>,
  middleware: readonly JsonRpcMiddleware[],
): Promise<unknown> {
  const step = (index: number): Promise<unknown> => {
    try {
      const layer = middleware[index];
      return layer
        ? Promise.resolve(layer(context, () => step(index + 1)))
        : settle(handler(context.request.params, context), context);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  return step(0);
}

/** A handler's value, Promise or Observable as one Promise of the result. */
function settle(value: unknown, context: HandlerContext<unknown>): Promise<unknown> {
  if (isObservable(value)) return firstValue(value, context.signal);
  return Promise.resolve(value);
}

/** The first value (or `null` when empty); unsubscribes on that value or on abort. */
function firstValue(source$: Observable<unknown>, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const subscription = new Subscription();
    const onAbort = (): void => {
      subscription.unsubscribe();
      reject(new RequestCancelledError());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    subscription.add(() => signal.removeEventListener('abort', onAbort));
    subscription.add(
      source$.subscribe({
        next: (value) => {
          resolve(value);
          subscription.unsubscribe();
        },
        error: (error: unknown) => {
          reject(error as Error);
          subscription.unsubscribe();
        },
        complete: () => {
          resolve(null);
          subscription.unsubscribe();
        },
      }),
    );
  });
}
