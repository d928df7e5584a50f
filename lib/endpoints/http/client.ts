/**
 * connectHttp: a JSON-RPC client over HTTP POST, on fetch (browsers, Node, workers).
 * @module
 */
import { throwError, type Observable } from 'rxjs';
import { checkCall } from '../../connection/batch.js';
import { JsonRpcConnection } from '../../connection/connection.js';
import { JsonRpcConnectionType } from '../../connection/options.js';
import type { JsonRpcParams } from '../../protocol/messages.js';
import type { JsonRpcAnyMethods } from '../../protocol/method-map.js';
import { HTTP_CANCELLATION } from './frames.js';
import { resolveConnectHttpOptions, type ConnectHttpOptions } from './client-options.js';
import { HttpClientTransport } from './client-transport.js';
import { JsonRpcHttpError } from './errors.js';

/** A client connection over HTTP: no server streams. */
class HttpConnection<Remote extends object> extends JsonRpcConnection<Remote> {
  /**
   * Server streams need a link both ways: over HTTP the Observable errors on subscribe with
   * a {@link JsonRpcHttpError}, and nothing is sent.
   * @throws TypeError at once for a name that is not a string, or params of the wrong kind
   */
  override observe$<T = unknown>(
    name: string,
    params?: JsonRpcParams,
    _options?: Parameters<JsonRpcConnection['observe$']>[2],
  ): Observable<T> {
    checkCall(name, params);
    return throwError(
      () =>
        new JsonRpcHttpError(
          `observe$('${name}') needs a WebSocket: a server stream cannot come over HTTP POST (use connectWebSocket())`,
        ),
    );
  }
}

/**
 * A client connection that speaks JSON-RPC over HTTP POST, at once: no handshake, and nothing
 * is sent until a call is made. `request()`, `request$()`, `notify()` and `batch()` work as
 * on any connection; `observe$()` does not (server streams need a WebSocket).
 *
 * Calls made before the next macrotask (or within `batch.waitMs` of the first) go out as one
 * POST whose body is a JSON array, up to `batch.maxSize` calls; a lone call goes as a single
 * object. A `connection.batch()` frame is never split: it joins the pending POST whole, or
 * goes alone when it does not fit.
 *
 * Each call settles on its own, matched by id, and only by an answer to its own POST (a
 * response naming a call of another POST is dropped). Redirects are not followed: a 3xx
 * rejects the POST's calls with its status. A cancelled call (its signal aborted, its
 * timeout passed, its `request$()` unsubscribed) rejects at once; not sent yet, it is left
 * out of its POST; in flight, its POST's fetch is aborted once every request in it is
 * cancelled. No cancel notification is ever sent. A non-2xx answer rejects the calls of its
 * POST with their JSON-RPC error answer if the body holds one, else a
 * {@link JsonRpcHttpError}, either with the HTTP `status`; a network error, an answer that is
 * not JSON-RPC or one missing a call's response rejects with a `JsonRpcHttpError` whose
 * `cause` is fetch's error or the body. `close()` aborts every fetch in flight.
 *
 * @param url - the server's endpoint, http: or https:
 * @throws TypeError for a URL that is not http: or https:, an invalid option or no fetch;
 *   RangeError for a batch size or wait out of range
 * @example
 * const connection = connectHttp('https://example.com/rpc', {
 *   headers: async () => ({ authorization: `Bearer ${await token()}` }),
 * });
 * const [sum, product] = await Promise.all([
 *   connection.request('sum', [1, 2]),
 *   connection.request('product', [3, 4]), // the same POST as 'sum'
 * ]);
 */
export function connectHttp<Remote extends object = JsonRpcAnyMethods>(
  url: string | URL,
  options?: ConnectHttpOptions,
): JsonRpcConnection<Remote> {
  const resolved = resolveConnectHttpOptions(url, options);
  const transport = new HttpClientTransport(resolved);
  const connection = new HttpConnection<Remote>(transport, JsonRpcConnectionType.CLIENT, {
    ...resolved.connection,
    // How the transport learns of cancels: these notifications are never POSTed.
    cancellation: HTTP_CANCELLATION,
  });
  transport.attach(connection);
  return connection;
}
