/**
 * Running one handler of `serve()`: its context, the middleware chain around it, and its
 * value, Promise or Observable made one result.
 * @module
 */
import { isObservable, type Observable, Subscription } from 'rxjs';
import { RequestCancelledError } from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import type {
  JsonRpcHandler,
  JsonRpcHandlerContext,
  JsonRpcMiddleware,
} from '../methods/handler.js';

export type AnyHandler = JsonRpcHandler<unknown, unknown, unknown>;

/** What a handler's context needs of the connection. */
export interface ContextPort<Connection> {
  readonly connection: Connection;
  signalOf(call: JsonRpcCall): AbortSignal;
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The handler for `method`: an own property that is a function (never `__proto__`&co). */
export function lookup(methods: object, method: string): AnyHandler | undefined {
  if (!Object.hasOwn(methods, method)) return undefined;
  const handler = (methods as Record<string, unknown>)[method];
  return typeof handler === 'function' ? (handler as AnyHandler) : undefined;
}

export class HandlerContext<Connection> implements JsonRpcHandlerContext<Connection> {
  readonly method: string;
  readonly isNotification: boolean;
  readonly connection: Connection;

  constructor(
    private readonly port: ContextPort<Connection>,
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

export function invoke(
  handler: AnyHandler,
  context: HandlerContext<unknown>,
  middleware: readonly JsonRpcMiddleware[],
): Promise<unknown> {
  const step = (index: number): Promise<unknown> => {
    try {
      const layer = middleware[index];
      return layer
        ? Promise.resolve(layer(context, () => step(index + 1)))
        : toPromise(handler(context.request.params, context), context);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return step(0);
}

/** A handler's value, Promise or Observable as one Promise of the result. */
function toPromise(value: unknown, context: HandlerContext<unknown>): Promise<unknown> {
  if (isObservable(value)) return firstValue(value, context.signal);
  return Promise.resolve(value);
}

/** The first value (or `null` when empty); unsubscribes on that value or on abort. */
export function firstValue(source$: Observable<unknown>, signal: AbortSignal): Promise<unknown> {
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
          reject(error);
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
