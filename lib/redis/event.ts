/**
 * What a broker's reader hands its subscribers: a value with its event id, its topic's
 * sequence number, and the count of values this subscriber will never get just before it.
 * @module
 */
import type { Observable } from 'rxjs';

/** One value of a topic, as `RedisBroker.events$()` emits it. */
export interface RedisBrokerEvent {
  /** The event id: what `publish()` resolved with, and what `after` takes to resume. */
  readonly id: string;
  /** The topic's sequence number of this value (1 for its first value). */
  readonly seq: number;
  /** The value published (one object shared by the process's subscribers: do not mutate it). */
  readonly value: unknown;
  /** Values published just before this one that this subscriber missed and will never get. */
  readonly dropped: number;
}

/** Options of `RedisBroker.topic$()` and `RedisBroker.events$()`. */
export interface RedisTopicOptions {
  /**
   * An event id: streams mode delivers the values published after it (those still kept),
   * then the live ones; in pubsub mode, it only counts the values missed since (`dropped` of
   * the first event). Without it, the values published once the subscription is established.
   */
  after?: string;
  /**
   * @internal Awaited between chunks of a streams-mode replay (`broker.stream()` passes its
   * subscription's `drained()`), so a replay of any length never overflows a slow client.
   */
  drained?: () => Promise<void>;
}

/** Counts the gap in sequence numbers before each value one subscriber gets. */
export class DropCounter {
  #lastSeq: number | undefined;

  /** @param lastSeq the sequence number of the last value the subscriber had, if known */
  constructor(lastSeq?: number) {
    this.#lastSeq = lastSeq;
  }

  /** The values missed between the last one and `seq`; `seq` becomes the last one. */
  next(seq: number): number {
    const last = this.#lastSeq;
    this.#lastSeq = last === undefined ? seq : Math.max(last, seq);
    return last === undefined ? 0 : Math.max(0, seq - last - 1);
  }
}

/** The readers of one broker mode: the process's one Redis reader per topic, shared. */
export interface TopicReaders {
  /** A subscriber's own view of the topic's values (`after` already validated). */
  events$(
    topic: string,
    after: string | undefined,
    drained?: () => Promise<void>,
  ): Observable<RedisBrokerEvent>;
  /** Completes every subscriber and stops reading; the broker closes the clients. */
  close(): void;
  /** Resolves once nothing runs any more (after the broker closed the reader's client). */
  stopped(): Promise<void>;
}
