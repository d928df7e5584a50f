/**
 * `broker.stream()`: a topic as a `stream()` entry of a method table, resumable on any process.
 * @module
 */
import { map, type Observable } from 'rxjs';
import {
  stream,
  streamEvent,
  type JsonRpcStream,
  type JsonRpcStreamContext,
  type StreamOptions,
} from '../index.js';
import type { RedisBrokerEvent, RedisTopicOptions } from './event.js';

/** Names the topic of a subscription from its params (never the resume's `_meta`). */
export type TopicOf<Params, Connection> = (
  params: Params,
  context: JsonRpcStreamContext<Connection>,
) => string;

/** Options of `broker.stream()`: `stream()`'s, but for ids and resuming, which are the broker's. */
export type BrokerStreamOptions = Omit<StreamOptions<unknown>, 'eventId' | 'resumable'>;

/** What the entry needs of its broker. */
export interface EventSource {
  events$(topic: string, options: RedisTopicOptions): Observable<RedisBrokerEvent>;
}

/** The entry: each subscription reads its topic's events, from the client's last one on a resume. */
export function brokerStream<Params, Connection>(
  broker: EventSource,
  topicOf: TopicOf<Params, Connection>,
  options: BrokerStreamOptions = {},
): JsonRpcStream<Params, unknown, Connection> {
  if (typeof topicOf !== 'function') {
    throw new TypeError(`broker.stream() takes a function naming the topic, got ${typeof topicOf}`);
  }
  return stream<Params, unknown, Connection>(
    (params, context) => {
      const topic = topicOf(withoutMeta(params) as Params, context);
      if (typeof topic !== 'string' || topic === '') {
        throw new TypeError(
          `broker.stream()'s topicOf must return a non-empty string, got ${String(topic)}`,
        );
      }
      const after = context.lastEventId === undefined ? undefined : String(context.lastEventId);
      return broker
        .events$(topic, { after, drained: () => context.drained() })
        .pipe(
          map((event) => streamEvent(event.value, { eventId: event.id, dropped: event.dropped })),
        );
    },
    { ...options, resumable: true },
  );
}

/** Params as the client gave them: a resume adds `_meta` to params by name. */
function withoutMeta(params: unknown): unknown {
  if (
    typeof params !== 'object' ||
    params === null ||
    Array.isArray(params) ||
    !('_meta' in params)
  ) {
    return params;
  }
  const rest: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  delete rest['_meta'];
  return Object.keys(rest).length === 0 ? undefined : rest;
}
