/**
 * `injectStream()`: a server stream (`stream()` on the server, `observe$()` on the client) as
 * an Angular resource.
 * @module
 */
import {
  computed,
  effect,
  resource,
  signal,
  untracked,
  type ResourceRef,
  type ResourceStreamItem,
  type Signal,
  type WritableSignal,
} from '@angular/core';
import type { Subscription } from 'rxjs';
import type { JsonRpcConnection, JsonRpcParams, ObserveOptions } from '../browser.js';
import { resolveHelper, type JsonRpcHelperOptions } from './signals.js';

/** Options of {@link injectStream}: `observe$()`'s, and where to find the connection. */
export interface InjectStreamOptions extends ObserveOptions, JsonRpcHelperOptions {}

/** Stands for "no params at all" (not `[]` nor `{}`) as the resource's request. */
const NO_PARAMS: JsonRpcParams = Object.freeze({});

/** The resource's request when the `params` function threw: shown as the error state. */
class ParamsFailure {
  constructor(readonly error: Error) {}
}

type Request = JsonRpcParams | ParamsFailure | undefined;

/**
 * The server stream `name` as a resource: `value()` is its latest value, `status()`
 * `'loading'` until the first one, then `'resolved'` (also across reconnects), `'error'` with
 * `error()` the server's `JsonRpcError` when the stream fails (`value()` then throws, as for
 * any Angular resource: read it behind `hasValue()`; `status()`, `error()`, `hasValue()` and
 * `isLoading()` never throw, and nothing reaches the app's `ErrorHandler`).
 *
 * `params` is read reactively: when its value changes, the remote subscription is ended (the
 * server gets `name_unsubscribe`) and exactly one new one made; `undefined` means idle —
 * nothing subscribed, status `'idle'` — and a change to `undefined` unsubscribes too. Without
 * `params` it subscribes with no params at all. What `params` throws is the error state. Destroying the injector (the component)
 * unsubscribes.
 *
 * @throws TypeError at once for a name that is not a string or an invalid option; Error
 *   outside an injection context without `injector`
 * @example
 * readonly symbol = signal('ACME');
 * readonly quote = injectStream<Quote>('quotes', () => [this.symbol()]);
 * // template: @if (quote.hasValue()) { {{ quote.value().price }} }
 */
export function injectStream<T = unknown>(
  name: string,
  params?: () => JsonRpcParams | undefined,
  options: InjectStreamOptions = {},
): ResourceRef<T | undefined> {
  if (params !== undefined && typeof params !== 'function') {
    throw new TypeError(`injectStream() params must be a function, got ${typeof params}`);
  }
  const { connection, injector } = resolveHelper(injectStream, options);
  const observeOptions: ObserveOptions & JsonRpcHelperOptions = { ...options };
  delete observeOptions.injector;
  delete observeOptions.token;
  // Checks the name and the options at once: observe$() is cold, this subscribes nothing.
  connection.observe$(name, undefined, observeOptions);
  const live = new LiveStream<T>(connection, name, observeOptions);
  const request = computed((): Request => {
    if (connection.closed) return undefined;
    if (!params) return NO_PARAMS;
    try {
      return params();
    } catch (error) {
      // An error state like the server's, not a throw from status() or an ErrorHandler report.
      return new ParamsFailure(error instanceof Error ? error : new Error(String(error)));
    }
  });
  // Angular's resource does not end the last load when its params turn `undefined`.
  effect(
    () => {
      if (request() === undefined) untracked(() => live.stop());
    },
    { injector },
  );
  return resource<T | undefined, Request>({
    params: request,
    stream: ({ params: current, abortSignal }) => {
      if (current instanceof ParamsFailure) {
        live.stop();
        return Promise.resolve(signal({ error: current.error }));
      }
      return live.start(current === NO_PARAMS ? undefined : current, abortSignal);
    },
    injector,
  });
}

/** The one remote subscription of an `injectStream()`. */
class LiveStream<T> {
  private subscription: Subscription | undefined = undefined;

  constructor(
    private readonly connection: JsonRpcConnection,
    private readonly name: string,
    private readonly options: ObserveOptions,
  ) {}

  /** Subscribes; resolves with the stream's signal at its first value (or error, or end). */
  start(
    params: JsonRpcParams | undefined,
    abortSignal: AbortSignal,
  ): Promise<Signal<ResourceStreamItem<T | undefined>>> {
    this.stop();
    return new Promise((resolve) => {
      let item: WritableSignal<ResourceStreamItem<T | undefined>> | undefined;
      const emit = (next: ResourceStreamItem<T | undefined>): void => {
        if (item) return item.set(next);
        item = signal(next);
        resolve(item);
      };
      const subscription = this.connection.observe$<T>(this.name, params, this.options).subscribe({
        next: (value) => emit({ value }),
        error: (error: unknown) =>
          emit({ error: error instanceof Error ? error : new Error(String(error)) }),
        complete: () => {
          if (!item) emit({ value: undefined });
        },
      });
      this.subscription = subscription;
      const end = (): void => {
        subscription.unsubscribe();
        if (this.subscription === subscription) this.subscription = undefined;
        // Angular ignores an aborted load's result; settling it leaves no promise hanging.
        if (!item) resolve(signal({ value: undefined }));
      };
      if (abortSignal.aborted) end();
      else abortSignal.addEventListener('abort', end, { once: true });
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
