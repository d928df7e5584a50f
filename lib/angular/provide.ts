/**
 * `provideJsonRpc()` and `injectJsonRpc()`: one connection per environment injector that
 * provides it, opened on first injection, closed when that injector is destroyed.
 * @module
 */
import {
  DestroyRef,
  inject,
  InjectionToken,
  makeEnvironmentProviders,
  NgZone,
  PLATFORM_ID,
  type EnvironmentProviders,
} from '@angular/core';
import { Observable } from 'rxjs';
import {
  JsonRpcConnection,
  ReconnectingTransport,
  reconnectingWebSocket,
  type JsonRpcAnyMethods,
  type JsonRpcConnectionOptions,
  type ReconnectOptions,
  type Transport,
} from '../browser.js';

/** The default token of the connection `provideJsonRpc()` provides. */
export const JSON_RPC = new InjectionToken<JsonRpcConnection>('rxjs-jsonrpc connection');

/** A token for a connection (a second endpoint gets a token of its own). */
export type JsonRpcToken = InjectionToken<JsonRpcConnection>;

/** What `provideJsonRpc()` connects to, and how. Give `url` or `transport`, not both. */
export interface JsonRpcConfig {
  /** A WebSocket URL, opened with the platform's `globalThis.WebSocket`. */
  url?: string;
  /** Makes a transport for each link instead of a WebSocket (a memory pair, a custom one). */
  transport?: () => Transport;
  /**
   * Reopen a failed first link or a lost one: `true` for the defaults (10 attempts in a row,
   * 500 ms doubling to 30 s), or `{ attempts, delayMs, maxDelayMs }`. With `false`, a failed
   * first attempt or a lost link closes the connection for good.
   * @default true
   */
  reconnect?: boolean | ReconnectOptions;
  /** Options of the connection (timeouts, limits, `onError`, …). */
  connection?: JsonRpcConnectionOptions;
  /** WebSocket subprotocols to offer (with `url`). */
  protocols?: string | string[];
  /** The token to provide the connection under, for a second endpoint. @default JSON_RPC */
  token?: JsonRpcToken;
}

/** Options of `provideJsonRpc()` itself. */
export interface ProvideJsonRpcOptions {
  /**
   * The token to provide the connection under (with a factory config, the only place to say
   * it, as the factory runs later). @default JSON_RPC
   */
  token?: JsonRpcToken;
}

/**
 * Provides a JSON-RPC connection to an environment injector (the application's, a lazy
 * route's). Nothing opens until the connection is first injected; it is shared by everyone
 * who injects it from there, and closed when that injector is destroyed — which ends every
 * server-side subscription it holds. In server-side rendering (`PLATFORM_ID` `'server'`) no
 * socket is opened: the connection is closed from the start.
 *
 * @param config - the config, or a function returning it, run in an injection context on
 *   first injection (so `inject(APP_CONFIG)` works inside it)
 * @throws TypeError for neither or both of `url` and `transport`, or a wrong type; with a
 *   factory config, on first injection; a bad option of the connection or of `reconnect`
 *   throws (TypeError or RangeError, naming it) on first injection
 * @example
 * // app.config.ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [provideZonelessChangeDetection(), provideJsonRpc({ url: 'wss://example.com/rpc' })],
 * };
 */
export function provideJsonRpc(
  config: JsonRpcConfig | (() => JsonRpcConfig),
  options: ProvideJsonRpcOptions = {},
): EnvironmentProviders {
  const token = tokenOf(config, options);
  if (typeof config !== 'function') checkConfig(config);
  return makeEnvironmentProviders([
    {
      provide: token,
      useFactory: () =>
        openConnection(typeof config === 'function' ? checkConfig(config()) : config),
    },
  ]);
}

/**
 * The connection provided under `token` (not a wrapper: the `JsonRpcConnection` itself),
 * synchronously. With `url` it is `'connecting'` until the socket opens; calls made meanwhile
 * wait for it. Call it in an injection context.
 * @example
 * const rpc = injectJsonRpc<ServerMethods>();
 * const total = await rpc.request('sum', [1, 2]);
 */
export function injectJsonRpc<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(token: JsonRpcToken = JSON_RPC): JsonRpcConnection<Remote, Local> {
  return inject(token) as unknown as JsonRpcConnection<Remote, Local>;
}

function tokenOf(
  config: JsonRpcConfig | (() => JsonRpcConfig),
  options: ProvideJsonRpcOptions,
): JsonRpcToken {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`provideJsonRpc() options must be an object, got ${String(options)}`);
  }
  const inConfig = typeof config === 'function' ? undefined : config?.token;
  if (inConfig && options.token && inConfig !== options.token) {
    throw new TypeError(
      'provideJsonRpc() was given two different tokens: "token" and options.token',
    );
  }
  const token = inConfig ?? options.token ?? JSON_RPC;
  if (!(token instanceof InjectionToken)) {
    throw new TypeError(`The "token" option must be an InjectionToken, got ${String(token)}`);
  }
  return token;
}

/** Checks what can be checked without opening anything. */
function checkConfig(config: JsonRpcConfig): JsonRpcConfig {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`provideJsonRpc() takes a config object, got ${String(config)}`);
  }
  const { url, transport, reconnect } = config;
  if ((url === undefined) === (transport === undefined)) {
    const got = url === undefined ? 'neither' : 'both';
    throw new TypeError(`provideJsonRpc() takes either "url" or "transport", got ${got}`);
  }
  if (url !== undefined && typeof url !== 'string') {
    throw new TypeError(`The "url" option must be a string, got ${typeof url}`);
  }
  if (transport !== undefined && typeof transport !== 'function') {
    throw new TypeError(
      `The "transport" option must be a function returning a transport, got ${typeof transport}`,
    );
  }
  if (
    reconnect !== undefined &&
    typeof reconnect !== 'boolean' &&
    (typeof reconnect !== 'object' || reconnect === null)
  ) {
    throw new TypeError(
      `The "reconnect" option must be a boolean or an object, got ${String(reconnect)}`,
    );
  }
  return config;
}

/** The connection, made in the providing injector's context. */
function openConnection(config: JsonRpcConfig): JsonRpcConnection {
  const serverSide = inject(PLATFORM_ID, { optional: true }) === 'server';
  const zone = inject(NgZone, { optional: true });
  const destroyRef = inject(DestroyRef);
  // The socket, its listeners and its timers live outside Angular's zone (when there is one):
  // a live socket must not keep the app from being stable, nor run change detection per frame.
  const open = (): JsonRpcConnection =>
    serverSide
      ? closedConnection(config)
      : new JsonRpcConnection(transportOf(config), undefined, config.connection);
  const connection = zone ? zone.runOutsideAngular(open) : open();
  destroyRef.onDestroy(() => void connection.close());
  return connection;
}

function transportOf(config: JsonRpcConfig): Transport {
  const reconnect = config.reconnect ?? true;
  if (config.url !== undefined) {
    return reconnectingWebSocket(config.url, { reconnect, protocols: config.protocols });
  }
  const make = config.transport!;
  const open = (): Promise<Transport> => Promise.resolve().then(make);
  // Without reconnect every end is final: the first failed link or lost link.
  return reconnect === false
    ? new ReconnectingTransport(open, { isFinal: () => true })
    : new ReconnectingTransport(open, reconnect === true ? {} : reconnect);
}

/** In server-side rendering: a connection that never opens, closed from the start. */
function closedConnection(config: JsonRpcConfig): JsonRpcConnection {
  const nothing: Transport = Object.assign(new Observable<Uint8Array | string>(), {
    next: () => undefined,
    error: () => undefined,
    complete: () => undefined,
  });
  const connection = new JsonRpcConnection(nothing, undefined, config.connection);
  void connection.close();
  return connection;
}
