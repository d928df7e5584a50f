/**
 * A first-in first-out queue whose every step is O(1) (amortised), unlike `Array#shift`.
 * @module
 */

/** Taken items are dropped from the front in one copy once they are most of the array. */
const COMPACT_AFTER = 1024;

/** A queue of items, oldest first. */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Takes the oldest item out (undefined when empty: check `length` for queues of undefined). */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    // Not to keep the item alive from here.
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
