/**
 * Options of `connectHttp()`: defaults merged once, then validated loudly.
 * @module
 */
import type { JsonRpcConnectionOptions } from '../../connection/options.js';
import { count, timeoutOption } from '../../util/options.js';

/** The default of `batch.maxSize`: calls (requests and notifications) in one POST. */
export const DEFAULT_HTTP_BATCH_SIZE = 100;

/** The default of `maxResponseBytes`: the largest answer body read. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** How calls made close together share one POST. */
export interface HttpBatchOptions {
  /**
   * Calls (requests and notifications alike) in one POST; a batch that reaches it is sent at
   * once, and the next calls start a new one.
   * @default 100
   */
  maxSize?: number;
  /**
   * Milliseconds a batch is held after its first call; `0` sends it on the next macrotask
   * (`setImmediate` where it exists, else `setTimeout(…, 0)`).
   * @default 0
   */
  waitMs?: number;
}

/** The part of `RequestInit` the client passes to fetch. */
export interface HttpFetchInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /**
   * Redirects are not followed: fetch would resend a POST answered 301, 302 or 303 as a GET,
   * without its calls, and take the answer to that GET for theirs.
   */
  redirect: 'manual';
  signal: AbortSignal;
}

/**
 * The part of a fetch `Response` the client reads. Without `headers` and `body` (a fetch of
 * your own may leave them out), `maxResponseBytes` cannot be enforced.
 */
export interface HttpFetchResponse {
  readonly status: number;
  readonly headers?: { get(name: string): string | null };
  readonly body?: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** A fetch implementation: `globalThis.fetch`, or one of the same shape. */
export type HttpFetch = (url: string, init: HttpFetchInit) => Promise<HttpFetchResponse>;

/** Headers of each POST, or what makes them. */
export type HttpHeaders = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** Options of {@link connectHttp}. */
export interface ConnectHttpOptions {
  /**
   * Extra headers of each POST (`Authorization`, …): an object, or a function called right
   * before each POST returning them or a promise of them; if it throws or rejects, the calls
   * of that POST reject with a `JsonRpcHttpError` whose `cause` is the failure. They are
   * applied over `Content-Type: application/json` and `Accept: application/json`.
   * @default none
   */
  headers?: HttpHeaders;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: HttpFetch;
  /**
   * Largest answer body read, in bytes: a declared `Content-Length` over it is refused unread,
   * a body without one, or compressed (its decoded bytes counted), is counted as it arrives
   * and dropped once past it; the calls of that
   * POST reject with a `JsonRpcHttpError`.
   * @default 16_777_216 (16 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Options of the connection (timeouts, limits, onError). Its `cancellation` is not used:
   * over HTTP a cancelled call is dropped from its POST, or its POST aborted, and the server
   * is never sent a cancel notification.
   */
  connection?: JsonRpcConnectionOptions;
  /**
   * Calls made close together go out as one POST holding a JSON array; `false` sends each
   * call (or `connection.batch()` frame) as its own POST, at once.
   * @default { maxSize: 100, waitMs: 0 }
   */
  batch?: false | HttpBatchOptions;
}

/** Batching after defaults were applied. */
export interface ResolvedHttpBatch {
  readonly maxSize: number;
  readonly waitMs: number;
}

/** {@link ConnectHttpOptions} checked, with defaults applied. */
export interface ResolvedConnectHttpOptions {
  readonly url: string;
  readonly fetch: HttpFetch;
  /** Every POST's headers (lower-case names), or what makes them. */
  readonly headers: Record<string, string> | (() => HeadersInit | Promise<HeadersInit>);
  readonly batch: ResolvedHttpBatch | false;
  readonly maxResponseBytes: number;
  readonly connection: JsonRpcConnectionOptions | undefined;
}

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json',
};

/**
 * Checks `url` and every option once.
 * @throws TypeError for a URL that is not http: or https:, an option of the wrong type, or no
 *   fetch at all; RangeError for a batch size or wait out of range
 */
export function resolveConnectHttpOptions(
  url: string | URL,
  options: ConnectHttpOptions | undefined,
): ResolvedConnectHttpOptions {
  if (options !== undefined && !isObject(options)) {
    throw new TypeError(`The options of connectHttp() must be an object, got ${String(options)}`);
  }
  const { connection } = options ?? {};
  if (connection !== undefined && !isObject(connection)) {
    throw new TypeError(`The "connection" option must be an object, got ${String(connection)}`);
  }
  return {
    url: httpUrl(url),
    fetch: fetchOption(options?.fetch),
    headers: headersOption(options?.headers),
    batch: batchOption(options?.batch),
    maxResponseBytes: count(
      'maxResponseBytes',
      options?.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
    ),
    connection,
  };
}

/** The headers of a POST: the JSON ones, with `extra` over them (names lower-cased). */
export function mergeHeaders(extra: HeadersInit | undefined): Record<string, string> {
  const merged = { ...BASE_HEADERS };
  if (extra !== undefined) new Headers(extra).forEach((value, name) => (merged[name] = value));
  return merged;
}

function httpUrl(url: string | URL): string {
  const text = url instanceof URL ? url.href : url;
  let parsed: URL | undefined;
  if (typeof text === 'string') {
    try {
      parsed = new URL(text);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new TypeError(`The url must be an http: or https: URL, got ${String(text)}`);
  }
  return parsed.href;
}

function fetchOption(value: HttpFetch | undefined): HttpFetch {
  if (value !== undefined) {
    if (typeof value !== 'function') {
      throw new TypeError(`The "fetch" option must be a function, got ${String(value)}`);
    }
    return value;
  }
  if (typeof globalThis.fetch !== 'function') {
    throw new TypeError(
      'No fetch available: pass the "fetch" option (globalThis.fetch is missing)',
    );
  }
  // Bound: a browser's fetch called with another `this` throws "Illegal invocation".
  return globalThis.fetch.bind(globalThis);
}

function headersOption(value: HttpHeaders | undefined): ResolvedConnectHttpOptions['headers'] {
  if (typeof value === 'function') return value;
  if (value !== undefined && !isObject(value)) {
    throw new TypeError(
      `The "headers" option must be an object or a function, got ${String(value)}`,
    );
  }
  try {
    return mergeHeaders(value);
  } catch (cause) {
    throw new TypeError(`The "headers" option is invalid: ${(cause as Error).message}`, { cause });
  }
}

function batchOption(value: false | HttpBatchOptions | undefined): ResolvedHttpBatch | false {
  if (value === false) return false;
  if (value !== undefined && !isObject(value)) {
    throw new TypeError(`The "batch" option must be false or an object, got ${String(value)}`);
  }
  return {
    maxSize: count('batch.maxSize', value?.maxSize, DEFAULT_HTTP_BATCH_SIZE),
    waitMs: timeoutOption('batch.waitMs', value?.waitMs, 0),
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
