/**
 * The calling side of a connection: requests, notifications and batches, typed by the
 * peer's method map. `JsonRpcConnection` extends it.
 * @module
 */
import { Observable } from 'rxjs';
import { encodeCall } from '../protocol/encode.js';
import { RequestCancelledError } from '../protocol/errors.js';
import type { JsonRpcParams } from '../protocol/messages.js';
import type {
  JsonRpcAnyMethods,
  JsonRpcCallArgs,
  JsonRpcMethodName,
  JsonRpcResultOf,
} from '../protocol/method-map.js';
import { BatchBuilder, checkCall } from './batch.js';
import type { ResolvedConnectionOptions } from './options.js';
import { WRITE } from './hooks.js';
import { OutgoingCalls, type RequestOptions } from './outgoing.js';

type CallArgs = [JsonRpcParams | undefined, RequestOptions | undefined];

const unset = (): void => undefined;

/**
 * The resolve and reject of the promise `request()` is making. `new Promise(capture)` runs
 * `capture` at once, so `request()` reads them right after: no executor closure, nor the
 * context it captures, is allocated per request.
 */
const captured: { resolve: (result: unknown) => void; reject: (error: Error) => void } = {
  resolve: unset,
  reject: unset,
};

function capture(resolve: (result: unknown) => void, reject: (error: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** Requests, notifications and batches to the peer. */
export abstract class JsonRpcCaller<Remote extends object = JsonRpcAnyMethods> {
  /** Our requests awaiting answers, and the frames waiting for a link. */
  protected readonly outgoing: OutgoingCalls;

  protected constructor(protected readonly options: ResolvedConnectionOptions) {
    this.outgoing = new OutgoingCalls(options, this);
  }

  /** Writes one frame's text (nothing once closed or offline). */
  abstract [WRITE](text: string): void;

  /** Requests of ours awaiting an answer (those waiting for a link included). */
  get pendingCount(): number {
    return this.outgoing.size;
  }

  /**
   * Sends a request and resolves with its result.
   * @returns the result; rejects with the peer's `JsonRpcError` (rebuilt into its subclass),
   *   `RequestTimeoutError`, `RequestCancelledError`, `ConnectionClosedError` or
   *   `TooManyPendingRequestsError`
   * @throws TypeError at once for a method that is not a string or params that are neither
   *   an array nor an object
   */
  request<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], RequestOptions>
  ): Promise<JsonRpcResultOf<Remote[M]>>;
  // Plain parameters, not a rest array to destructure: one allocation less per call.
  request(method: string, params?: unknown, options?: RequestOptions): Promise<unknown> {
    checkCall(method, params);
    const promise = new Promise(capture);
    const { resolve, reject } = captured;
    // Not to keep this request's promise alive from here once it is settled.
    captured.resolve = captured.reject = unset;
    try {
      this.outgoing.send(method, params as JsonRpcParams | undefined, options, resolve, reject);
    } catch (error) {
      // As a throw inside a promise executor would: an invalid option rejects.
      reject(error as Error);
    }
    return promise;
  }

  /**
   * A cold Observable of one request: sends on subscribe, emits the result once and
   * completes; unsubscribing before the answer cancels the request.
   * @throws TypeError at once, as `request()`
   */
  request$<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], RequestOptions>
  ): Observable<JsonRpcResultOf<Remote[M]>> {
    const [params, options] = args as CallArgs;
    checkCall(method, params);
    return new Observable((subscriber) => {
      const id = this.outgoing.request(method, params, options, (error, result) => {
        if (error) return subscriber.error(error);
        subscriber.next(result as JsonRpcResultOf<Remote[M]>);
        subscriber.complete();
      });
      return () => {
        if (id !== undefined) this.outgoing.abandon(id, new RequestCancelledError());
      };
    });
  }

  /**
   * Sends a notification: no answer will come, not even an error.
   * @returns resolves once handed to the transport; rejects with `ConnectionClosedError`
   * @throws TypeError at once, as `request()`
   */
  notify<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], never>
  ): Promise<void> {
    const [params] = args as CallArgs;
    checkCall(method, params);
    try {
      return this.outgoing.notify(encodeCall(method, params, undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends several calls as one batch frame. The calls made on the builder inside `build`
   * go out together when it returns; each request keeps its own promise.
   * @returns what `build` returned
   * @example
   * const [sum, diff] = connection.batch((b) => [b.request('sum', [1, 2]), b.request('sub', [4, 2])]);
   */
  batch<T>(build: (batch: BatchBuilder<Remote>) => T): T {
    const builder = new BatchBuilder<Remote>((method, params, options, resolve, reject) =>
      this.outgoing.draft(this.outgoing.register(method, params, options, resolve, reject)),
    );
    let value: T;
    try {
      value = build(builder);
    } catch (error) {
      // Nothing is sent; no promise made inside is left pending, nor unhandled.
      const { ids, promises } = builder.seal();
      for (const promise of promises) promise.catch(unset);
      this.outgoing.discard(ids, new RequestCancelledError('Not sent: the batch() callback threw'));
      throw error;
    }
    this.outgoing.transmitBatch(builder.seal());
    return value;
  }
}
