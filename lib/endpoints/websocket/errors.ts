/**
 * Errors of the WebSocket helpers.
 * @module
 */

/** What went wrong in a failed WebSocket handshake. */
export interface WebSocketConnectErrorDetails {
  /** The HTTP status the server answered instead of upgrading (401, 403, …). */
  status?: number;
  /** The system error code, such as `ECONNREFUSED`. */
  code?: string;
  /** True when the handshake timed out. */
  timeout?: boolean;
  cause?: unknown;
}

/** A WebSocket could not be opened. The message names the URL and the cause. */
export class WebSocketConnectError extends Error {
  override name = 'WebSocketConnectError';
  readonly url: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly timeout: boolean;

  constructor(url: string, what: string, details: WebSocketConnectErrorDetails = {}) {
    super(`Could not connect to ${url}: ${what}`, { cause: details.cause });
    this.url = url;
    this.status = details.status;
    this.code = details.code;
    this.timeout = details.timeout ?? false;
  }
}
