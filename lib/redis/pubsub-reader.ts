/**
 * Pubsub mode's readers: one `SUBSCRIBE` per topic on the broker's subscriber client, however
 * many subscribers the topic has in this process. Messages are `<seq>:<json>`; a subscriber
 * that missed some (its link dropped, node-redis resubscribed) sees the gap as `dropped`.
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import type { RedisClient } from './clients.js';
import { DropCounter, type RedisBrokerEvent, type TopicReaders } from './event.js';
import { seqOfEventId } from './ids.js';
import { topicKeys } from './keys.js';
import { persist } from './persist.js';
import { TopicTable } from './topic-table.js';

interface View {
  readonly subscriber: Subscriber<RedisBrokerEvent>;
  readonly drops: DropCounter;
}

interface ChannelReader {
  readonly channel: string;
  readonly views: Set<View>;
  readonly listener: (message: string) => void;
  released: boolean;
}

const MESSAGE = /^(\d+):/;

/** The topics of a pubsub-mode broker. */
export class PubSubReader implements TopicReaders {
  readonly #table: TopicTable<ChannelReader>;
  readonly #closing = new AbortController();

  /**
   * @param client the subscriber client, connected (node-redis resubscribes it after a drop)
   * @param prefix the broker's prefix
   */
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    this.#table = new TopicTable(
      (topic) => this.#open(topic),
      (reader) => this.#release(reader),
    );
  }

  events$(topic: string, after: string | undefined): Observable<RedisBrokerEvent> {
    const afterSeq = after === undefined ? undefined : seqOfEventId('pubsub', after);
    return new Observable<RedisBrokerEvent>((subscriber) => {
      if (this.#closing.signal.aborted) {
        subscriber.complete();
        return;
      }
      const reader = this.#table.join(topic);
      const view: View = { subscriber, drops: new DropCounter(afterSeq) };
      reader.views.add(view);
      return () => {
        if (reader.views.delete(view)) this.#table.leave(topic);
      };
    });
  }

  close(): void {
    this.#closing.abort();
    this.#table.close();
  }

  async stopped(): Promise<void> {
    // Nothing of its own runs: node-redis delivers the messages.
  }

  #open(topic: string): ChannelReader {
    const views = new Set<View>();
    const listener = (message: string): void => {
      const event = parseMessage(message);
      if (!event) return; // not one of ours
      for (const view of [...views]) {
        view.subscriber.next({ ...event, dropped: view.drops.next(event.seq) });
      }
    };
    const reader: ChannelReader = {
      channel: topicKeys(this.prefix, topic).channel,
      views,
      listener,
      released: false,
    };
    this.#subscribe(reader);
    return reader;
  }

  /** Subscribes until it holds: node-redis forgets a SUBSCRIBE whose link dropped before its answer. */
  #subscribe(reader: ChannelReader): void {
    const wanted = (): boolean => !reader.released;
    persist(
      () => this.client.subscribe(reader.channel, reader.listener),
      wanted,
      this.#closing.signal,
    ).then(undefined, (error: unknown) => {
      const cause = error instanceof Error ? error.message : String(error);
      const failure = new Error(`Subscribing to ${reader.channel} failed: ${cause}`, {
        cause: error,
      });
      for (const view of [...reader.views]) view.subscriber.error(failure);
    });
  }

  #release(reader: ChannelReader): void {
    reader.released = true;
    for (const view of [...reader.views]) view.subscriber.complete();
    // Until it holds: node-redis resubscribes after a drop every channel it still listens to.
    const unsubscribe = (): Promise<void> =>
      this.client.unsubscribe(reader.channel, reader.listener);
    persist(unsubscribe, () => true, this.#closing.signal).catch(() => {
      // A reply error: the server does not hold the subscription either.
    });
  }
}

function parseMessage(message: string): Omit<RedisBrokerEvent, 'dropped'> | undefined {
  const match = MESSAGE.exec(message);
  if (!match?.[1]) return undefined;
  try {
    const value: unknown = JSON.parse(message.slice(match[0].length));
    return { id: match[1], seq: Number(match[1]), value };
  } catch {
    return undefined;
  }
}
