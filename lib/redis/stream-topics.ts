/**
 * Streams mode's topics: one feed per topic in this process, read by the broker's one
 * {@link StreamReader}, and for each subscriber its own view. A view first reads the history
 * it asked for (`XRANGE key (after + COUNT 500`, chunk after chunk) while the feed's live
 * entries wait in a buffer, then drains the buffer and goes live; it skips every entry not
 * after the last one it delivered, so the seam has no gap and no duplicate.
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import type { RedisClient } from './clients.js';
import { DropCounter, type RedisBrokerEvent, type TopicReaders } from './event.js';
import { compareStreamIds, seqOfEventId } from './ids.js';
import { topicKeys } from './keys.js';
import { persist } from './persist.js';
import { entriesAfter, ENTRIES_PER_READ, lastEntryId, type StreamEntry } from './stream-entry.js';
import { StreamReader, type StreamFeed } from './stream-reader.js';
import { TopicTable } from './topic-table.js';

interface View {
  readonly subscriber: Subscriber<RedisBrokerEvent>;
  /** The last entry delivered, or its starting point; undefined until known. */
  lastId: string | undefined;
  drops: DropCounter;
  /** Live entries waiting while the view reads the history; undefined once live. */
  buffer: StreamEntry[] | undefined;
  /** The buffer overflowed and was let go: what it held is read again from Redis. */
  behind: boolean;
  /** Awaited between history chunks: a replay goes at its reader's pace. */
  readonly drained: (() => Promise<void>) | undefined;
  active: boolean;
}

class TopicFeed implements StreamFeed {
  position = '0-0';
  released = false;
  /** Why the feed could not start (a reply error), if it could not. */
  failure: Error | undefined;
  readonly views = new Set<View>();
  /** Resolves true once the reader follows the feed, false if it never will. */
  ready: Promise<boolean> = Promise.resolve(false);

  constructor(
    readonly topic: string,
    readonly key: string,
  ) {}

  deliver(entries: readonly StreamEntry[]): void {
    for (const view of [...this.views]) {
      if (!view.buffer) {
        for (const entry of entries) deliver(view, entry);
      } else if (view.buffer.length + entries.length > MAX_BUFFERED) {
        // A slow replay must not hold the live values in memory: they are in the stream, and
        // the history read takes them on from its last id.
        view.buffer = [];
        view.behind = true;
      } else {
        view.buffer.push(...entries);
      }
    }
  }
}

/** Live entries a view holds while it reads the history, past which it reads them again. */
const MAX_BUFFERED = 4 * ENTRIES_PER_READ;

/** Hands `entry` to the view unless it already had it. */
function deliver(view: View, entry: StreamEntry): void {
  if (!view.active || (view.lastId && compareStreamIds(entry.id, view.lastId) <= 0)) return;
  view.lastId = entry.id;
  const { id, seq, value } = entry;
  view.subscriber.next({ id, seq, value, dropped: view.drops.next(seq) });
}

/** The topics of a streams-mode broker. */
export class StreamTopics implements TopicReaders {
  readonly #closing = new AbortController();
  readonly #reader: StreamReader;
  readonly #table: TopicTable<TopicFeed>;

  /**
   * @param command the command client (history reads, CLIENT UNBLOCK)
   * @param reader the client that blocks in XREAD
   * @param prefix the broker's prefix
   */
  constructor(
    private readonly command: RedisClient,
    reader: RedisClient,
    private readonly prefix: string,
  ) {
    this.#reader = new StreamReader(reader, command, this.#closing.signal);
    this.#table = new TopicTable(
      (topic) => this.#open(topic),
      (feed) => this.#release(feed),
    );
  }

  events$(
    topic: string,
    after: string | undefined,
    drained?: () => Promise<void>,
  ): Observable<RedisBrokerEvent> {
    const afterSeq = after === undefined ? undefined : seqOfEventId('streams', after);
    return new Observable<RedisBrokerEvent>((subscriber) => {
      if (this.#closing.signal.aborted) {
        subscriber.complete();
        return;
      }
      const feed = this.#table.join(topic);
      const view: View = {
        subscriber,
        lastId: after,
        drops: new DropCounter(afterSeq),
        buffer: [],
        behind: false,
        active: true,
        drained,
      };
      feed.views.add(view);
      this.#catchUp(feed, view).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        const failure = new Error(`Reading topic "${topic}" failed: ${reason}`, { cause: error });
        if (view.active) subscriber.error(failure);
      });
      return () => {
        view.active = false;
        if (feed.views.delete(view)) this.#table.leave(topic);
      };
    });
  }

  close(): void {
    this.#closing.abort();
    this.#table.close();
  }

  /** Resolves once the XREAD loop ended (after the reader client was closed). */
  stopped(): Promise<void> {
    return this.#reader.stopped();
  }

  #open(topic: string): TopicFeed {
    const feed = new TopicFeed(topic, topicKeys(this.prefix, topic).stream);
    // The live read starts at the stream's end now; views read what came before themselves.
    const end = persist(
      () => lastEntryId(this.command, feed.key),
      () => !feed.released,
      this.#closing.signal,
    );
    feed.ready = end.then(
      (found) => {
        if (!found || feed.released) return false;
        feed.position = found.value ?? '0-0';
        this.#reader.follow(feed);
        return true;
      },
      (error: unknown) => {
        feed.failure = error instanceof Error ? error : new Error(String(error));
        return false;
      },
    );
    return feed;
  }

  #release(feed: TopicFeed): void {
    feed.released = true;
    this.#reader.unfollow(feed);
    for (const view of [...feed.views]) view.subscriber.complete();
  }

  async #catchUp(feed: TopicFeed, view: View): Promise<void> {
    const wanted = (): boolean => view.active;
    const signal = this.#closing.signal;
    // Asked at once: values published after this subscribe (through this broker's command
    // client, in order) come after this end.
    const start =
      view.lastId === undefined
        ? persist(() => lastEntryId(this.command, feed.key), wanted, signal)
        : undefined;
    const [ready, end] = await Promise.all([feed.ready, start]);
    if (feed.failure !== undefined) throw feed.failure;
    if (!ready || !view.active) return;
    if (start) {
      if (!end) return;
      view.lastId = end.value ?? '0-0';
      view.drops = new DropCounter(end.value ? seqOfEventId('streams', end.value) : undefined);
    }
    // The history up to at least the feed's starting position, which the live read takes on;
    // again from the last entry delivered if live entries came faster than it was read.
    do {
      view.behind = false;
      await this.#readHistory(feed, view, wanted, signal);
      if (!view.active) return;
    } while (view.behind);
    const buffered = view.buffer ?? [];
    view.buffer = undefined;
    for (const entry of buffered) deliver(view, entry);
  }

  /** Reads `feed`'s history after the view's last entry, chunk after chunk, at its pace. */
  async #readHistory(
    feed: TopicFeed,
    view: View,
    wanted: () => boolean,
    signal: AbortSignal,
  ): Promise<void> {
    for (;;) {
      const from = view.lastId ?? '0-0';
      const chunk = await persist(() => entriesAfter(this.command, feed.key, from), wanted, signal);
      if (!chunk) return;
      for (const entry of chunk.value.entries) deliver(view, entry);
      if (!view.active || !chunk.value.full) break;
      await view.drained?.();
      if (!view.active) return;
      // Skip past messages that are not entries (not written by a broker) too.
      if (chunk.value.lastId && compareStreamIds(chunk.value.lastId, from) > 0) {
        view.lastId = chunk.value.lastId;
      }
    }
  }
}
