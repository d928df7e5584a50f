/**
 * The `_subscribe` and `_unsubscribe` methods of a method table's streams, as handlers that
 * `serve()` runs like any other (middleware included).
 * @module
 */
import { isObservable } from 'rxjs';
import type { JsonRpcHandler, JsonRpcHandlerContext } from '../methods/handler.js';
import { JsonRpcError } from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import { JsonRpcStreamErrorCode, methodNames } from '../streams/options.js';
import type { ServedStreams } from '../streams/served.js';
import { JsonRpcStream, type JsonRpcStreamContext } from '../methods/stream.js';
import type { ServedSubscription } from '../streams/subscription.js';

type AnyHandler = JsonRpcHandler<unknown, unknown, unknown>;
type AnyStream = JsonRpcStream<unknown, unknown, unknown>;

/** The stream entries of a method table, routed by method name. */
export class StreamRoutes {
  private readonly handlers = new Map<string, AnyHandler>();
  /** Subscriptions created by a `_subscribe` whose answer is not sent yet. */
  private readonly unanswered = new Map<JsonRpcCall, ServedSubscription>();

  /**
   * @throws TypeError when a stream's method name is taken by another entry
   */
  constructor(
    methods: object,
    private readonly streams: ServedStreams,
  ) {
    for (const [name, entry] of Object.entries(methods)) {
      if (!(entry instanceof JsonRpcStream)) continue;
      const names = methodNames(name, entry.options.names);
      const stream = entry as AnyStream;
      this.route(methods, name, names.subscribe, (params, context) =>
        this.subscribe(stream, names.notification, params, context),
      );
      this.route(methods, name, names.unsubscribe, (params) =>
        this.streams.unsubscribe(subscriptionIdOf(params), stream),
      );
    }
  }

  /** The routes of a method table, or undefined when it has no stream. */
  static of(methods: object, streams: () => ServedStreams): StreamRoutes | undefined {
    const any = Object.values(methods).some((entry) => entry instanceof JsonRpcStream);
    return any ? new StreamRoutes(methods, streams()) : undefined;
  }

  handler(method: string): AnyHandler | undefined {
    return this.handlers.get(method);
  }

  /** The subscription a `_subscribe` call created, now to be answered (or failed). */
  claim(call: JsonRpcCall): ServedSubscription | undefined {
    const subscription = this.unanswered.get(call);
    if (subscription) this.unanswered.delete(call);
    return subscription;
  }

  /** Serving stopped: every subscription ends, its client told. */
  stop(): void {
    this.unanswered.clear();
    this.streams.closeAll(true);
  }

  private route(methods: object, name: string, method: string, handler: AnyHandler): void {
    if (this.handlers.has(method) || Object.hasOwn(methods, method)) {
      throw new TypeError(`serve(): the method "${method}" of stream "${name}" is defined twice`);
    }
    this.handlers.set(method, handler);
  }

  private subscribe(
    stream: AnyStream,
    notification: string,
    params: unknown,
    context: JsonRpcHandlerContext,
  ): string | undefined {
    if (context.isNotification) return undefined; // it could never learn its id
    const lastEventId = lastEventIdOf(params);
    if (lastEventId !== undefined && !stream.options.resumable) {
      throw new JsonRpcError(JsonRpcStreamErrorCode.CannotResume, 'Cannot resume this stream', {
        lastEventId,
      });
    }
    const { request } = context;
    const subscription = this.streams.open(stream, request, notification, stream.options);
    try {
      const source$ = stream.open(params, streamContext(context, subscription, lastEventId));
      if (!isObservable(source$)) {
        throw new TypeError(`The stream of "${context.method}" returned no Observable`);
      }
      subscription.attach(source$);
    } catch (error) {
      this.streams.discard(subscription);
      throw error;
    }
    this.unanswered.set(request, subscription);
    return subscription.id;
  }
}

function streamContext(
  context: JsonRpcHandlerContext,
  subscription: ServedSubscription,
  lastEventId: string | number | undefined,
): JsonRpcStreamContext {
  return {
    method: context.method,
    request: context.request,
    isNotification: false,
    connection: context.connection,
    signal: subscription.signal,
    subscription: subscription.id,
    lastEventId,
    drained: () => subscription.drained(),
  };
}

/** S from `[S]`, `{ subscription: S }` or `{ subscriptionId: S }`. */
function subscriptionIdOf(params: unknown): unknown {
  if (Array.isArray(params)) return params[0];
  if (typeof params !== 'object' || params === null) return undefined;
  const named = params as { subscription?: unknown; subscriptionId?: unknown };
  return named.subscription ?? named.subscriptionId;
}

/** `params._meta.lastEventId`, when the client resumes. */
function lastEventIdOf(params: unknown): string | number | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const id = (meta as { lastEventId?: unknown }).lastEventId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}
