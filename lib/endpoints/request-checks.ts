/**
 * The checks an HTTP request to a server passes before it reaches JSON-RPC — path, Origin,
 * authentication — shared by the WebSocket upgrade and the HTTP POST. Each failure is an
 * HTTP status.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/** Which browser origins may call the server. */
export type AllowedOrigins = readonly string[] | '*' | ((origin: string) => boolean);

/** Options of the request checks. */
export interface RequestCheckOptions {
  /** Only requests on this path are taken. @default undefined (any path) */
  path?: string;
  /**
   * Browser origins allowed: a list, `'*'`, or a predicate. @default the server's own
   * origin only (requests without `Origin`, not made by a browser, always pass)
   */
  allowedOrigins?: AllowedOrigins;
  /** Decides, from the request's headers, whether it may go on; `false` or a throw refuses it (401). */
  authenticate?: (request: IncomingMessage) => boolean | Promise<boolean>;
}

/** The path part of a request URL ('/' when missing). */
export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** True when the request is on `path` (or no path is set). */
export function onPath(request: IncomingMessage, path: string | undefined): boolean {
  return path === undefined || pathOf(request) === path;
}

/**
 * Whether the request's Origin may call. Without `allowedOrigins`, a request with no Origin
 * (not from a browser) or one from the server's own host is allowed; any other browser
 * origin is refused: this stops cross-site calls to servers on localhost.
 */
export function originAllowed(
  request: IncomingMessage,
  allowed: AllowedOrigins | undefined,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (typeof allowed === 'function') {
    try {
      return Boolean(allowed(origin));
    } catch {
      return false;
    }
  }
  if (allowed !== undefined) return allowed.includes(origin);
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Runs `authenticate`: false when it refuses, throws or rejects. */
export async function authenticated(
  request: IncomingMessage,
  authenticate: RequestCheckOptions['authenticate'],
): Promise<boolean> {
  if (!authenticate) return true;
  try {
    return Boolean(await authenticate(request));
  } catch {
    return false;
  }
}

/** Checks `allowedOrigins` and `authenticate` at once, so a bad option fails the server's start. */
export function checkRequestOptions(options: RequestCheckOptions): void {
  const { path, allowedOrigins, authenticate } = options;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(
      `The "path" option must be a string starting with "/", got ${String(path)}`,
    );
  }
  const valid =
    allowedOrigins === undefined ||
    allowedOrigins === '*' ||
    typeof allowedOrigins === 'function' ||
    (Array.isArray(allowedOrigins) && allowedOrigins.every((o) => typeof o === 'string'));
  if (!valid) {
    throw new TypeError(
      'The "allowedOrigins" option must be an array of origins, "*" or a function',
    );
  }
  if (authenticate !== undefined && typeof authenticate !== 'function') {
    throw new TypeError('The "authenticate" option must be a function');
  }
}
