/**
 * Options of the HTTP server: the request checks, the body limit, and the connections made
 * for each POST.
 * @module
 */
import {
  resolveConnectionOptions,
  type JsonRpcConnectionOptions,
  type ResolvedConnectionOptions,
} from '../../connection/options.js';
import { count } from '../../util/options.js';
import { checkRequestOptions, type RequestCheckOptions } from '../request-checks.js';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions extends RequestCheckOptions {
  /**
   * Only POSTs to this path are taken; others go to `next()` (as Express middleware) or are
   * answered 404. Compared with `req.url` without its query, as Express passes it (relative
   * to the mount point). @default undefined (every path)
   */
  path?: string;
  /**
   * Largest request body, in bytes. A declared `Content-Length` over it is refused (413)
   * before anything is read; a chunked body is counted as it arrives and refused once past it.
   * @default 5_242_880 (5 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Options of each POST's connection (its role is SERVER). Cancel notifications mean
   * nothing within one POST: `cancellation` is always off.
   */
  connection?: JsonRpcConnectionOptions;
  /** Errors thrown (or rejected) by `onConnection`; the POST is answered 500. @default logs with console.error */
  onError?: (error: unknown) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The options of a handler, checked and merged with their defaults once. */
export interface ResolvedHttpOptions extends RequestCheckOptions {
  readonly maxBodyBytes: number;
  readonly connection: ResolvedConnectionOptions;
  readonly onError: (error: unknown) => void;
}

/**
 * Checks the options at once.
 * @throws TypeError or RangeError naming the bad option
 */
export function resolveHttpOptions(options: HttpHandlerOptions): ResolvedHttpOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('The options of createHttpHandler() must be an object');
  }
  checkRequestOptions(options);
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('The "onError" option must be a function');
  }
  return {
    path: options.path,
    allowedOrigins: options.allowedOrigins,
    authenticate: options.authenticate,
    maxBodyBytes: count('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    connection: resolveConnectionOptions({ ...options.connection, cancellation: false }),
    onError: options.onError ?? ((error: unknown) => console.error('rxjs-jsonrpc:', error)),
  };
}
