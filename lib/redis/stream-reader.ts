/**
 * Streams mode's one reader per broker: a loop of blocking `XREAD BLOCK … STREAMS k1 k2 … id1
 * id2 …` on a client of its own, over every topic followed in this process. When the set of
 * topics changes, the blocked read is ended at once (`CLIENT UNBLOCK` from the command
 * client) and issued again. After a dropped link it reads on from each topic's position, so
 * nothing is lost (an entry may come twice: subscribers skip what they already have).
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from './clients.js';
import { ENTRIES_PER_READ, parseEntries, type StreamEntry } from './stream-entry.js';

/** A topic the reader follows. */
export interface StreamFeed {
  /** Its stream's key. */
  readonly key: string;
  /** The id of the last message read: the reader reads on after it. */
  position: string;
  /** Takes the entries read, in order. */
  deliver(entries: readonly StreamEntry[]): void;
}

/** The longest a read blocks; a backstop only, as a change of topics unblocks it. */
const BLOCK_MS = 10_000;
/** Between attempts to unblock a read that had not reached the server yet. */
const UNBLOCK_RETRY_MS = 20;

interface Read {
  readonly version: number;
  clientId: number | undefined;
}

/** The XREAD loop of one broker. */
export class StreamReader {
  readonly #feeds = new Set<StreamFeed>();
  #version = 0;
  #read: Read | undefined;
  #loop: Promise<void> | undefined;
  #unblockTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param reader the client that blocks in XREAD, connected and used for nothing else
   * @param command the client that sends CLIENT UNBLOCK
   * @param signal aborted when the broker closes
   */
  constructor(
    private readonly reader: RedisClient,
    private readonly command: RedisClient,
    private readonly signal: AbortSignal,
  ) {}

  /** Reads `feed`'s stream from now on, after its position. */
  follow(feed: StreamFeed): void {
    this.#feeds.add(feed);
    this.#changed();
  }

  /** Stops reading `feed`'s stream. */
  unfollow(feed: StreamFeed): void {
    if (this.#feeds.delete(feed)) this.#changed();
  }

  /** Resolves once the loop ended: after the broker's signal aborted and its client closed. */
  async stopped(): Promise<void> {
    clearTimeout(this.#unblockTimer);
    await this.#loop;
  }

  #changed(): void {
    this.#version += 1;
    if (this.signal.aborted) return;
    if (this.#loop) this.#unblock();
    else this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    for (let failures = 0; !this.signal.aborted && this.#feeds.size > 0;) {
      const feeds = [...this.#feeds];
      const read: Read = { version: this.#version, clientId: undefined };
      this.#read = read;
      try {
        const reply = await this.#xRead(read, feeds);
        this.#read = undefined;
        failures = 0;
        this.#deliver(feeds, reply);
      } catch {
        // A dropped link (node-redis reconnects) or a reply error: read again, after a pause.
        this.#read = undefined;
        const delayMs = Math.min(100 * 2 ** failures++, 1_000);
        await sleep(delayMs, undefined, { signal: this.signal }).catch(() => {});
      }
    }
    // Synchronously with the test above: a feed followed from now on starts a new loop.
    this.#loop = undefined;
  }

  async #xRead(read: Read, feeds: readonly StreamFeed[]): Promise<unknown> {
    // Pipelined on one link: the id arrives before the read blocks, and names that client.
    const clientId = this.reader.clientId().then((id) => {
      read.clientId = id;
      this.#unblock();
    });
    const streams = feeds.map((feed) => ({ key: feed.key, id: feed.position }));
    const reply = this.reader.xRead(streams, { BLOCK: BLOCK_MS, COUNT: ENTRIES_PER_READ });
    const [, result] = await Promise.all([clientId, reply]);
    return result;
  }

  #deliver(feeds: readonly StreamFeed[], reply: unknown): void {
    if (!Array.isArray(reply)) return; // null: timed out or unblocked
    const byKey = new Map(feeds.map((feed) => [feed.key, feed]));
    for (const stream of reply as { name?: unknown; messages?: unknown }[]) {
      const feed = byKey.get(String(stream.name));
      const messages = Array.isArray(stream.messages)
        ? (stream.messages as { id?: unknown }[])
        : [];
      const last = messages.at(-1);
      if (!feed || !this.#feeds.has(feed) || last === undefined) continue;
      feed.position = String(last.id);
      feed.deliver(parseEntries(messages));
    }
  }

  /** Ends the blocked read if it no longer reads the topics wanted. */
  #unblock(): void {
    const read = this.#read;
    if (this.#unblockTimer || !read || read.clientId === undefined) return;
    if (read.version === this.#version || this.signal.aborted) return;
    this.command.clientUnblock(read.clientId).then(
      // 0: the read has not reached the server yet, or it has just returned.
      (unblocked) => {
        if (unblocked === 0) this.#retryUnblock();
      },
      () => this.#retryUnblock(),
    );
  }

  #retryUnblock(): void {
    if (this.#unblockTimer || this.signal.aborted) return;
    this.#unblockTimer = setTimeout(() => {
      this.#unblockTimer = undefined;
      this.#unblock();
    }, UNBLOCK_RETRY_MS);
  }
}
