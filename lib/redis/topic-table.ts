/**
 * The process's shared readers, one per topic: made by the first subscriber, kept while any
 * subscriber stays, released a grace period after the last one leaves (so a subscriber that
 * comes straight back finds the reader still running).
 * @module
 */

/** How long a topic's reader outlives its last subscriber. */
export const READER_GRACE_MS = 1_000;

interface Slot<Reader> {
  readonly reader: Reader;
  users: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** One reader per topic, counted by its users. */
export class TopicTable<Reader> {
  readonly #slots = new Map<string, Slot<Reader>>();

  /**
   * @param open makes the reader of a topic
   * @param release stops a reader: `graceMs` after its last user left, or at `close()`
   */
  constructor(
    private readonly open: (topic: string) => Reader,
    private readonly release: (reader: Reader) => void,
    private readonly graceMs = READER_GRACE_MS,
  ) {}

  /** The topic's reader, made if there is none; call {@link leave} when done with it. */
  join(topic: string): Reader {
    let slot = this.#slots.get(topic);
    if (!slot) {
      slot = { reader: this.open(topic), users: 0, timer: undefined };
      this.#slots.set(topic, slot);
    }
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.users += 1;
    return slot.reader;
  }

  /** One user of the topic's reader is done with it. */
  leave(topic: string): void {
    const slot = this.#slots.get(topic);
    if (!slot || --slot.users > 0) return;
    slot.timer = setTimeout(() => {
      this.#slots.delete(topic);
      this.release(slot.reader);
    }, this.graceMs);
  }

  /** Releases every reader at once. */
  close(): void {
    const slots = [...this.#slots.values()];
    // Cleared first: users leaving while their reader is released find nothing to count.
    this.#slots.clear();
    for (const slot of slots) {
      clearTimeout(slot.timer);
      this.release(slot.reader);
    }
  }
}
