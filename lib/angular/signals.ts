/**
 * Signals of a provided connection: its state, and the latest params of a notification.
 * @module
 */
import {
  assertInInjectionContext,
  DestroyRef,
  inject,
  Injector,
  signal,
  type Signal,
} from '@angular/core';
import type { JsonRpcConnection, JsonRpcConnectionState } from '../browser.js';
import { JSON_RPC, type JsonRpcToken } from './provide.js';

/** Where a helper finds its connection and its lifetime. */
export interface JsonRpcHelperOptions {
  /** The injector to use outside an injection context. @default the current one */
  injector?: Injector;
  /** The connection's token, for a second endpoint. @default JSON_RPC */
  token?: JsonRpcToken;
}

/** Options of {@link injectNotification}. */
export interface InjectNotificationOptions<T> extends JsonRpcHelperOptions {
  /** The value before the first notification. @default undefined */
  initialValue?: T;
}

/**
 * The connection's state as a signal: `'connecting'`, `'open'`, `'reconnecting'` or
 * `'closed'`. It stops following the connection when the injector (the component) is
 * destroyed.
 * @throws Error outside an injection context without `injector`
 * @example
 * readonly state = injectConnectionState(); // template: @if (state() !== 'open') { offline }
 */
export function injectConnectionState(
  options: JsonRpcHelperOptions = {},
): Signal<JsonRpcConnectionState> {
  const { connection, destroyRef } = resolveHelper(injectConnectionState, options);
  const state = signal<JsonRpcConnectionState>(connection.state);
  const subscription = connection.state$.subscribe((next) => state.set(next));
  destroyRef.onDestroy(() => subscription.unsubscribe());
  return state.asReadonly();
}

/**
 * The params of the latest notification `method` from the peer, as a signal (`initialValue`
 * until one arrives). For a high rate, read the connection's `notifications$` through
 * `auditTime(0, animationFrameScheduler)` instead: one update per frame.
 * @throws Error outside an injection context without `injector`
 * @example
 * readonly price = injectNotification<[number]>('price', { initialValue: [0] });
 */
export function injectNotification<T = unknown>(
  method: string,
  options: InjectNotificationOptions<T> = {},
): Signal<T | undefined> {
  if (typeof method !== 'string') {
    throw new TypeError(`The notification method must be a string, got ${typeof method}`);
  }
  const { connection, destroyRef } = resolveHelper(injectNotification, options);
  const latest = signal<T | undefined>(options.initialValue);
  const subscription = connection.notifications$.subscribe((notification) => {
    if (notification.method === method) latest.set(notification.params as T);
  });
  destroyRef.onDestroy(() => subscription.unsubscribe());
  return latest.asReadonly();
}

/** The connection and lifetime a helper works with: from `options`, or the injection context. */
export function resolveHelper(
  helper: (...args: never[]) => unknown,
  options: JsonRpcHelperOptions,
): { connection: JsonRpcConnection; destroyRef: DestroyRef; injector: Injector } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${helper.name}() options must be an object, got ${String(options)}`);
  }
  if (!options.injector) assertInInjectionContext(helper);
  const injector = options.injector ?? inject(Injector);
  return {
    connection: injector.get(options.token ?? JSON_RPC),
    destroyRef: injector.get(DestroyRef),
    injector,
  };
}
