/**
 * Error classes: one per standard JSON-RPC code, rebuilt from a received error object, plus
 * the local failures of a request (timeout, closed connection, too many pending requests).
 * @module
 */
import type { JsonRpcErrorObject } from './messages.js';

/** The error codes defined by JSON-RPC 2.0, and the LSP's `RequestCancelled`. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Answered to a request the caller cancelled (the LSP's value). */
  RequestCancelled: -32800,
} as const;

/** One of the literal values of {@link JsonRpcErrorCode}. */
export type JsonRpcErrorCode = (typeof JsonRpcErrorCode)[keyof typeof JsonRpcErrorCode];

/**
 * An error that travels as a JSON-RPC error object. Throw one from a handler to answer with
 * its code, message and data; a peer's error answer rejects `request()` with one.
 *
 * @example
 * throw new JsonRpcError(-32001, 'Unauthorized', { realm: 'admin' });
 */
export class JsonRpcError extends Error {
  override name = 'JsonRpcError';
  /** The JSON-RPC error code, an integer. */
  readonly code: number;
  /** The optional `data` member, as sent or received. */
  declare readonly data?: unknown;

  /**
   * @param code - an integer error code
   * @param message - a short description
   * @param data - anything JSON can carry, sent as the `data` member when defined
   * @throws TypeError when `code` is not an integer or `message` not a string
   */
  constructor(code: number, message: string, data?: unknown, options?: ErrorOptions) {
    if (!Number.isInteger(code)) {
      throw new TypeError(`JsonRpcError code must be an integer, got ${String(code)}`);
    }
    if (typeof message !== 'string') {
      throw new TypeError(`JsonRpcError message must be a string, got ${typeof message}`);
    }
    super(message, options);
    this.code = code;
    if (data !== undefined) this.data = data;
  }

  /** The error object as it goes on the wire. */
  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  /**
   * Rebuilds a received error object into the subclass for its code: a received -32601 is a
   * {@link MethodNotFoundError}; unknown codes give a plain `JsonRpcError`.
   */
  static from(error: JsonRpcErrorObject): JsonRpcError {
    const Subclass = subclassByCode.get(error.code);
    return Subclass
      ? new Subclass(error.message, error.data)
      : new JsonRpcError(error.code, error.message, error.data);
  }
}

/** -32700: the peer could not parse a frame as JSON. */
export class ParseError extends JsonRpcError {
  override name = 'ParseError';
  constructor(message = 'Parse error', data?: unknown) {
    super(JsonRpcErrorCode.ParseError, message, data);
  }
}

/** -32600: the JSON is not a valid request object. */
export class InvalidRequestError extends JsonRpcError {
  override name = 'InvalidRequestError';
  constructor(message = 'Invalid Request', data?: unknown) {
    super(JsonRpcErrorCode.InvalidRequest, message, data);
  }
}

/** -32601: no such method. */
export class MethodNotFoundError extends JsonRpcError {
  override name = 'MethodNotFoundError';
  constructor(message = 'Method not found', data?: unknown) {
    super(JsonRpcErrorCode.MethodNotFound, message, data);
  }
}

/** -32602: the method exists but the params do not fit it. */
export class InvalidParamsError extends JsonRpcError {
  override name = 'InvalidParamsError';
  constructor(message = 'Invalid params', data?: unknown) {
    super(JsonRpcErrorCode.InvalidParams, message, data);
  }
}

/** -32603: the handler failed; nothing from inside is sent. */
export class InternalError extends JsonRpcError {
  override name = 'InternalError';
  constructor(message = 'Internal error', data?: unknown) {
    super(JsonRpcErrorCode.InternalError, message, data);
  }
}

/** -32800: the request was cancelled, by this side or by the peer. */
export class RequestCancelledError extends JsonRpcError {
  override name = 'RequestCancelledError';
  constructor(message = 'Request cancelled', data?: unknown) {
    super(JsonRpcErrorCode.RequestCancelled, message, data);
  }
}

type ErrorSubclass = new (message?: string, data?: unknown) => JsonRpcError;

const subclassByCode = new Map<number, ErrorSubclass>([
  [JsonRpcErrorCode.ParseError, ParseError],
  [JsonRpcErrorCode.InvalidRequest, InvalidRequestError],
  [JsonRpcErrorCode.MethodNotFound, MethodNotFoundError],
  [JsonRpcErrorCode.InvalidParams, InvalidParamsError],
  [JsonRpcErrorCode.InternalError, InternalError],
  [JsonRpcErrorCode.RequestCancelled, RequestCancelledError],
]);

/** A request got no answer within its timeout. Local: never sent to the peer. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
  /** The method of the request that timed out. */
  readonly method: string;
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number) {
    super(`Request '${method}' timed out after ${timeoutMs} ms`);
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/** The connection closed (or was never open) before the call could complete. */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  constructor(message = 'Connection closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** A request was refused locally because `maxPendingRequests` requests already wait. */
export class TooManyPendingRequestsError extends Error {
  override name = 'TooManyPendingRequestsError';
  /** The limit that was reached. */
  readonly limit: number;
  constructor(limit: number) {
    super(`Too many pending requests: the limit is ${limit} (option maxPendingRequests)`);
    this.limit = limit;
  }
}
