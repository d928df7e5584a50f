/**
 * `stream()`: a method-table entry whose Observable is streamed to the client.
 * @module
 */
import type { Observable } from 'rxjs';
import type { JsonRpcHandlerContext } from './handler.js';
import type { JsonRpcParams } from '../protocol/messages.js';
import {
  resolveStreamOptions,
  type ResolvedStreamOptions,
  type StreamOptions,
} from '../streams/options.js';

/** What a stream's factory receives beside the params. */
export interface JsonRpcStreamContext<
  Connection = unknown,
> extends JsonRpcHandlerContext<Connection> {
  /**
   * Aborted when the subscription ends for any reason: the client unsubscribes, the
   * connection closes, the Observable completes or errors.
   */
  readonly signal: AbortSignal;
  /** The subscription id the client was given. */
  readonly subscription: string;
  /** On a resume, the last event id the client received (`params._meta.lastEventId`). */
  readonly lastEventId: string | number | undefined;
  /**
   * Resolves once every value sent so far is handed to the transport and it takes more (at
   * once when nothing waits), or when the subscription ends. A source replaying a backlog
   * awaits it between chunks, so a replay of any length never overflows `maxQueue` (-32010).
   */
  drained(): Promise<void>;
}

/** The function behind a stream: params in, the Observable to stream out. */
export type JsonRpcStreamFactory<Params = unknown, Value = unknown, Connection = unknown> = (
  params: Params,
  context: JsonRpcStreamContext<Connection>,
) => Observable<Value>;

type AnyFactory = (params: unknown, context: JsonRpcStreamContext<unknown>) => unknown;

/**
 * A server stream, made by {@link stream}; `serve()` recognises it in its method table.
 * Opaque: its members are for `serve()`.
 */
export class JsonRpcStream<
  Params = JsonRpcParams | undefined,
  Value = unknown,
  Connection = unknown,
> {
  /** @internal */
  readonly options: ResolvedStreamOptions;
  private readonly factory: AnyFactory;

  /** @internal Use {@link stream}. */
  constructor(
    factory: JsonRpcStreamFactory<Params, Value, Connection>,
    options: StreamOptions<Value> | undefined,
  ) {
    if (typeof factory !== 'function') {
      throw new TypeError(
        `stream() takes a function returning an Observable, got ${typeof factory}`,
      );
    }
    this.factory = factory as AnyFactory;
    this.options = resolveStreamOptions(options);
  }

  /** @internal Calls the factory. */
  open(params: Params, context: JsonRpcStreamContext<Connection>): Observable<Value> {
    return this.factory(params, context) as Observable<Value>;
  }
}

/**
 * Makes a method-table entry for `serve()` whose Observable is streamed to the client, with
 * the Ethereum / jsonrpsee pub/sub convention: the entry `name` answers `name_subscribe`
 * (with a subscription id), `name_unsubscribe`, and sends `name_subscription` notifications
 * `{ subscription, result }`, then `{ subscription, error }` or `{ subscription, complete:
 * true }`. A client reads it with `connection.observe$(name, params)`.
 *
 * The factory runs on each `_subscribe`: what it throws is the subscribe's error answer; its
 * Observable is subscribed once the answer is on the wire, and unsubscribed when the client
 * unsubscribes or the connection closes.
 *
 * @throws TypeError or RangeError at once for an invalid factory or option
 * @example
 * connection.serve({
 *   metrics: stream(() => interval(1000).pipe(map(() => process.memoryUsage()))),
 *   eth: stream(([kind]: [string]) => heads$, { terminal: false }), // eth_subscribe ["newHeads"]
 * });
 */
export function stream<Params = JsonRpcParams | undefined, Value = unknown, Connection = unknown>(
  factory: JsonRpcStreamFactory<Params, Value, Connection>,
  options?: StreamOptions<Value>,
): JsonRpcStream<Params, Value, Connection> {
  return new JsonRpcStream(factory, options);
}
