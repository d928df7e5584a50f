/**
 * Requests of ours awaiting an answer: one record each, found by id in O(1), deleted on every
 * exit.
 * @module
 */
import type { JsonRpcId } from '../protocol/messages.js';

/** Settles a request: an error, or `undefined` and the result. */
export type Settle = (error: Error | undefined, result?: unknown) => void;

/**
 * One request in flight. It holds the promise's own resolve and reject, not a closure over
 * them: a pending request costs little more than its promise.
 */
export class PendingRequest {
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    readonly id: number,
    private readonly resolve: (result: unknown) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** Settles the request: an error, or `undefined` and the result. */
  settle(error: Error | undefined, result?: unknown): void {
    if (error) this.reject(error);
    else this.resolve(result);
  }
}

/** Resolve and reject functions that call one `settle` callback. */
export function fromSettle(
  settle: Settle,
): [resolve: (result: unknown) => void, reject: (error: Error) => void] {
  return [(result) => settle(undefined, result), (error) => settle(error)];
}

/** Slots of a new table. */
const MIN_CAPACITY = 16;

/**
 * The pending requests of one connection, by id: O(1) correlation of every answer.
 *
 * Our ids are a sequence, so a table of slots indexed by the id's low bits replaces a Map:
 * adding and taking touch one slot, and nothing is allocated per request (a Map rehashes as
 * ids go by, and its tables are what a GC must copy or promote). When a new id lands on a
 * slot still held by an old request, the table doubles if it is at least half full;
 * otherwise the old request, one long pending, moves to a small overflow Map. So the table
 * grows only with the requests in flight, however long one stays pending, and it shrinks
 * back once a burst is over.
 *
 * Entries must be added in increasing id order (the connection's sequence): `takeAll()`
 * returns them in that order.
 */
export class PendingRequests {
  /** Made on first use: an idle connection holds no table. */
  private slots: (PendingRequest | undefined)[] | undefined = undefined;
  /** Old requests moved out of the table by a newer id on their slot (made on first use). */
  private overflow: Map<number, PendingRequest> | undefined = undefined;
  /** Entries in `slots`. */
  private inSlots = 0;
  /** Adds since the last shrink check, and the most entries seen over them. */
  private addsThisRound = 0;
  private peakThisRound = 0;

  get size(): number {
    return this.inSlots + (this.overflow?.size ?? 0);
  }

  /** Slots in the table (0 before the first add): how much it holds on to. */
  get capacity(): number {
    return this.slots?.length ?? 0;
  }

  has(id: JsonRpcId): boolean {
    return this.find(id) !== undefined;
  }

  add(entry: PendingRequest): void {
    this.slots ??= new Array<PendingRequest | undefined>(MIN_CAPACITY).fill(undefined);
    this.place(entry);
    this.watchPeak();
  }

  /** Removes the entry and clears its timer and abort listener; undefined when gone. */
  take(id: JsonRpcId): PendingRequest | undefined {
    const entry = this.find(id);
    if (entry === undefined) return undefined;
    const slots = this.slots!;
    const index = entry.id & (slots.length - 1);
    if (slots[index] === entry) {
      slots[index] = undefined;
      this.inSlots--;
    } else {
      this.overflow!.delete(entry.id);
    }
    release(entry);
    return entry;
  }

  /** Removes every entry, in the order they were added, clearing each one's timer and listener. */
  takeAll(): PendingRequest[] {
    const entries: PendingRequest[] = [...(this.overflow?.values() ?? [])];
    for (const entry of this.slots ?? []) if (entry !== undefined) entries.push(entry);
    this.slots = this.overflow = undefined;
    this.inSlots = this.addsThisRound = this.peakThisRound = 0;
    entries.sort((a, b) => a.id - b.id);
    entries.forEach(release);
    return entries;
  }

  private find(id: JsonRpcId): PendingRequest | undefined {
    if (typeof id !== 'number' || this.slots === undefined) return undefined;
    const entry = this.slots[id & (this.slots.length - 1)];
    if (entry !== undefined && entry.id === id) return entry;
    return this.overflow?.size ? this.overflow.get(id) : undefined;
  }

  /** Puts an entry in its slot, doubling the table or moving the older of two aside. */
  private place(entry: PendingRequest): void {
    let slots = this.slots!;
    let index = entry.id & (slots.length - 1);
    let occupant = slots[index];
    while (occupant !== undefined && this.inSlots * 2 >= slots.length) {
      slots = this.resize(slots.length * 2);
      index = entry.id & (slots.length - 1);
      occupant = slots[index];
    }
    if (occupant !== undefined) {
      // A sparse table, yet a taken slot: the older entry is long pending, and not worth a
      // larger table.
      const overflow = (this.overflow ??= new Map());
      if (occupant.id < entry.id) {
        overflow.set(occupant.id, occupant);
        this.inSlots--;
      } else {
        return void overflow.set(entry.id, entry);
      }
    }
    slots[index] = entry;
    this.inSlots++;
  }

  /**
   * Every `capacity` adds, a table that held less than an eighth of its slots all along is
   * halved: memory follows the load down, and a steady load never resizes.
   */
  private watchPeak(): void {
    this.peakThisRound = Math.max(this.peakThisRound, this.inSlots);
    const capacity = this.slots!.length;
    if (++this.addsThisRound < capacity) return;
    if (capacity > MIN_CAPACITY && this.peakThisRound * 8 < capacity) this.resize(capacity / 2);
    this.addsThisRound = this.peakThisRound = 0;
  }

  /** Moves the table's entries into a new one of `capacity` slots; returns it. */
  private resize(capacity: number): (PendingRequest | undefined)[] {
    const old = this.slots!;
    this.slots = new Array<PendingRequest | undefined>(capacity).fill(undefined);
    this.inSlots = 0;
    for (const entry of old) if (entry !== undefined) this.place(entry);
    return this.slots;
  }
}

function release(entry: PendingRequest): void {
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
}
