/**
 * The Redis broker: values published on a topic by any process reach every subscriber of
 * that topic in every process, through one Redis. A broker holds a command client (publishes,
 * history reads) and one reader client (pubsub: the subscriptions; streams: the blocking
 * XREAD), whatever the number of topics and subscribers.
 * @module
 */
import { map, type Observable } from 'rxjs';
import { connectClient, createRedisClient, describeTarget, type RedisClient } from './clients.js';
import type { RedisBrokerEvent, RedisTopicOptions, TopicReaders } from './event.js';
import { topicKeys } from './keys.js';
import {
  resolveRedisBrokerOptions,
  type RedisBrokerMode,
  type RedisBrokerOptions,
  type ResolvedRedisBrokerOptions,
} from './options.js';
import { publishWithin } from './publish.js';
import { PubSubReader } from './pubsub-reader.js';
import { publishToChannel, publishToStream } from './scripts.js';
import { StreamTopics } from './stream-topics.js';
import { brokerStream, type BrokerStreamOptions, type TopicOf } from './stream.js';
import type { JsonRpcParams, JsonRpcStream } from '../index.js';

/** Publishes values on topics and observes them, through Redis; made by {@link createRedisBroker}. */
export class RedisBroker {
  readonly #options: ResolvedRedisBrokerOptions;
  readonly #command: RedisClient;
  readonly #reader: RedisClient;
  readonly #topics: TopicReaders;
  readonly #publishing = new Set<Promise<string>>();
  #closed: Promise<void> | undefined;

  /** @internal Use {@link createRedisBroker}: it validates the options and connects the clients. */
  constructor(options: ResolvedRedisBrokerOptions, command: RedisClient, reader: RedisClient) {
    this.#options = options;
    this.#command = command;
    this.#reader = reader;
    this.#topics =
      options.mode === 'streams'
        ? new StreamTopics(command, reader, options.prefix)
        : new PubSubReader(reader, options.prefix);
  }

  /** `'streams'` or `'pubsub'`, as the options said. */
  get mode(): RedisBrokerMode {
    return this.#options.mode;
  }

  /**
   * Publishes `value` (as JSON) on `topic`. One broker's values arrive in the order of its
   * publish() calls, even overlapping ones.
   * @returns the event id: the stream entry id in streams mode, the topic's sequence number
   *   in pubsub mode. Rejects with an Error naming the topic when Redis does not answer
   *   within `publishTimeoutMs` (the value may still be published if the command had been
   *   sent), when the link drops before the answer, or once the broker is closed.
   * @throws TypeError for a topic that is not a non-empty string or a value JSON cannot hold
   */
  publish(topic: string, value: unknown): Promise<string> {
    const keys = topicKeys(this.#options.prefix, topic);
    const json = toJson(topic, value);
    if (this.#closed) {
      return Promise.reject(new Error(`The broker is closed: cannot publish to topic "${topic}"`));
    }
    const { mode, maxLen, publishTimeoutMs } = this.#options;
    const published = publishWithin(topic, publishTimeoutMs, (signal) =>
      mode === 'streams'
        ? publishToStream(this.#command, keys, maxLen, json, signal)
        : publishToChannel(this.#command, keys, json, signal),
    );
    this.#publishing.add(published);
    const settled = (): void => void this.#publishing.delete(published);
    published.then(settled, settled);
    return published;
  }

  /**
   * A method-table entry for `serve()` streaming a topic: `topicOf(params, context)` names it
   * (its params never include a resume's `_meta`). Values carry the broker's event ids, so a
   * client observing with `resume: true` resumes after the last value it received, on this
   * process or another: in streams mode nothing lost, nothing repeated (what trimming removed
   * arrives as `dropped`); in pubsub mode what it missed arrives as `dropped`. A replay waits
   * for the client's transport rather than overflow its queue.
   * @throws TypeError at once for a `topicOf` that is not a function, or an invalid option
   * @example
   * // Params by name: a client resumes with `observe$('prices', { symbol }, { resume: true })`.
   * connection.serve({ prices: broker.stream(({ symbol }: { symbol: string }) => `prices.${symbol}`) });
   */
  stream<Params = JsonRpcParams | undefined, Connection = unknown>(
    topicOf: TopicOf<Params, Connection>,
    options?: BrokerStreamOptions,
  ): JsonRpcStream<Params, unknown, Connection> {
    return brokerStream(this, topicOf, options);
  }

  /**
   * The values published on `topic`: cold, each subscriber with its own view, while the
   * process holds one Redis reader per topic. Completes when the broker closes.
   * @param options `after`: an event id; in streams mode the values after it (those still
   *   kept) come first, then the live ones, with no gap and no duplicate
   * @throws TypeError for a topic that is not a non-empty string, or an `after` that is not
   *   an event id of this broker's mode
   * @example
   * broker.topic$<Tick>('ticks').subscribe((tick) => draw(tick));
   */
  topic$<T = unknown>(topic: string, options: RedisTopicOptions = {}): Observable<T> {
    return this.events$(topic, options).pipe(map((event) => event.value as T));
  }

  /**
   * @internal The values of `topic` with their ids, sequence numbers, and the count each
   * subscriber missed just before each one (`dropped`), for `stream()`.
   * @throws TypeError as {@link topic$}
   */
  events$(topic: string, options: RedisTopicOptions = {}): Observable<RedisBrokerEvent> {
    topicKeys(this.#options.prefix, topic);
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`The options must be an object, got ${String(options)}`);
    }
    return this.#topics.events$(topic, options.after, options.drained);
  }

  /**
   * Completes every subscriber, waits for the publishes under way (each settles within
   * `publishTimeoutMs`), and closes the Redis clients. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#topics.close();
    this.#reader.destroy(); // ends a blocked XREAD at once
    await this.#topics.stopped();
    await Promise.allSettled(this.#publishing);
    this.#command.destroy();
  }
}

function toJson(topic: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`The value published to topic "${topic}" is not JSON: ${reason}`, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new TypeError(`The value published to topic "${topic}" is not JSON: ${typeof value}`);
  }
  return json;
}

/**
 * Connects a broker to Redis.
 * @returns the broker, once its clients are connected; rejects if the first attempt to
 *   connect fails (later drops are reconnected by themselves)
 * @throws TypeError or RangeError at once for invalid options (see {@link RedisBrokerOptions})
 * @example
 * const broker = await createRedisBroker({ url: 'redis://127.0.0.1:6379' });
 * await broker.publish('ticks', { n: 1 });
 * broker.topic$('ticks').subscribe(console.log);
 */
export function createRedisBroker(options: RedisBrokerOptions): Promise<RedisBroker> {
  return openRedisBroker(resolveRedisBrokerOptions(options));
}

async function openRedisBroker(options: ResolvedRedisBrokerOptions): Promise<RedisBroker> {
  const where = describeTarget(options.target);
  const command = createRedisClient(options.target);
  await connectClient(command, where);
  const reader = createRedisClient(options.target);
  try {
    await connectClient(reader, where);
  } catch (error) {
    command.destroy();
    throw error;
  }
  return new RedisBroker(options, command, reader);
}
