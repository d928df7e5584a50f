/**
 * Entries found by an integer key in O(1), for keys that mostly come as a sequence: request
 * ids, ours and (usually) the peer's.
 * @module
 */

/** Slots of a new table. */
const MIN_CAPACITY = 16;

/**
 * A table of slots indexed by the key's low bits, where a Map would hash: adding and removing
 * touch one slot and allocate nothing (a Map rehashes as keys go by, and shrinks and grows
 * again as it drains and fills: allocations that a GC must copy or promote). Each slot's
 * entry is checked against the key.
 *
 * When a new key lands on a slot still held by another entry, the table doubles if it is at
 * least half full; otherwise the entry of the smaller key (in a sequence, one long pending)
 * moves to a small overflow Map. So the table grows only with the entries it holds, however
 * long one stays, and every `capacity` adds a table that stayed below an eighth full is halved.
 */
export class IdTable<T> {
  private slots: (T | undefined)[];
  /** Entries moved out of the table by another key on their slot (made on first use). */
  private overflow: Map<number, T> | undefined = undefined;
  /** Entries in `slots`. */
  private inSlots = 0;
  /** Adds since the last shrink check, and the most entries seen over them. */
  private addsThisRound = 0;
  private peakThisRound = 0;

  /** @param keyOf - an entry's key: an integer, the same for as long as it is held */
  constructor(private readonly keyOf: (entry: T) => number) {
    this.slots = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
  }

  get size(): number {
    return this.inSlots + (this.overflow?.size ?? 0);
  }

  /** Slots in the table: how much it holds on to. */
  get capacity(): number {
    return this.slots.length;
  }

  get(key: number): T | undefined {
    const entry = this.slots[key & (this.slots.length - 1)];
    if (entry !== undefined && this.keyOf(entry) === key) return entry;
    return this.overflow?.size ? this.overflow.get(key) : undefined;
  }

  /** Adds an entry; its key must not be held already. */
  add(entry: T): void {
    this.place(entry);
    this.peakThisRound = Math.max(this.peakThisRound, this.inSlots);
    const capacity = this.slots.length;
    if (++this.addsThisRound < capacity) return;
    if (capacity > MIN_CAPACITY && this.peakThisRound * 8 < capacity) this.resize(capacity / 2);
    this.addsThisRound = this.peakThisRound = 0;
  }

  /** Removes and returns the entry of `key`, if held. */
  delete(key: number): T | undefined {
    const index = key & (this.slots.length - 1);
    const entry = this.slots[index];
    if (entry !== undefined && this.keyOf(entry) === key) {
      this.slots[index] = undefined;
      this.inSlots--;
      return entry;
    }
    const other = this.overflow?.size ? this.overflow.get(key) : undefined;
    if (other !== undefined) this.overflow!.delete(key);
    return other;
  }

  /** Every entry, in no particular order. */
  values(): T[] {
    const entries = [...(this.overflow?.values() ?? [])];
    for (const entry of this.slots) if (entry !== undefined) entries.push(entry);
    return entries;
  }

  /** Puts an entry in its slot, doubling the table or moving one of two aside. */
  private place(entry: T): void {
    const key = this.keyOf(entry);
    let slots = this.slots;
    let index = key & (slots.length - 1);
    let occupant = slots[index];
    while (occupant !== undefined && this.inSlots * 2 >= slots.length) {
      slots = this.resize(slots.length * 2);
      index = key & (slots.length - 1);
      occupant = slots[index];
    }
    if (occupant !== undefined) {
      // A sparse table, yet a taken slot: the older entry is long pending, and not worth a
      // larger table.
      const overflow = (this.overflow ??= new Map());
      const occupantKey = this.keyOf(occupant);
      if (occupantKey < key) {
        overflow.set(occupantKey, occupant);
        this.inSlots--;
      } else {
        return void overflow.set(key, entry);
      }
    }
    slots[index] = entry;
    this.inSlots++;
  }

  /** Moves the table's entries into a new one of `capacity` slots; returns it. */
  private resize(capacity: number): (T | undefined)[] {
    const old = this.slots;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
    this.inSlots = 0;
    for (const entry of old) if (entry !== undefined) this.place(entry);
    return this.slots;
  }
}
