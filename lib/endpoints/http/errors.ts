/**
 * Errors of the HTTP client.
 * @module
 */

/** What a {@link JsonRpcHttpError} carries beside its message. */
export interface JsonRpcHttpErrorOptions extends ErrorOptions {
  /** The HTTP status of the answer, when one came. */
  status?: number;
}

/**
 * A call over HTTP failed without a JSON-RPC error answer: the server answered a status other
 * than 2xx, the request never got an answer (a network error: `cause` is fetch's error), the
 * answer was not JSON-RPC or had no response for the call (`cause` is the body received), or
 * the `headers` option failed (`cause` is what it threw).
 *
 * @example
 * try {
 *   await connection.request('sum', [1, 2]);
 * } catch (error) {
 *   if (error instanceof JsonRpcHttpError && error.status === 401) login();
 * }
 */
export class JsonRpcHttpError extends Error {
  override name = 'JsonRpcHttpError';
  /** The HTTP status of the answer; undefined when no answer came. */
  readonly status: number | undefined;

  constructor(message: string, options: JsonRpcHttpErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.status = options.status;
  }
}
