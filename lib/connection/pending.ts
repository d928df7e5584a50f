/**
 * Requests of ours awaiting an answer: one record each, found by id in O(1), deleted on every
 * exit.
 * @module
 */
import type { JsonRpcId } from '../protocol/messages.js';
import { IdTable } from './id-table.js';

/** Settles a request: an error, or `undefined` and the result. */
export type Settle = (error: Error | undefined, result?: unknown) => void;

/**
 * One request in flight. It holds the promise's own resolve and reject, not a closure over
 * them: a pending request costs little more than its promise.
 */
export class PendingRequest {
  /** Given when the request is registered. */
  id = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    private readonly resolve: (result: unknown) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** A request settled through one callback (an Observable's, not a promise's). */
  static settledBy(settle: Settle): PendingRequest {
    return new PendingRequest(
      (result) => settle(undefined, result),
      (error) => settle(error),
    );
  }

  /** Settles the request: an error, or `undefined` and the result. */
  settle(error: Error | undefined, result?: unknown): void {
    if (error) this.reject(error);
    else this.resolve(result);
  }
}

/**
 * The pending requests of one connection, by id: O(1) correlation of every answer. Our ids
 * are a sequence, so they are kept in an {@link IdTable} rather than a Map.
 */
export class PendingRequests {
  /** Made on first use: an idle connection holds no table. */
  private table: IdTable<PendingRequest> | undefined = undefined;

  get size(): number {
    return this.table?.size ?? 0;
  }

  /** Slots in the table (0 before the first add): how much it holds on to. */
  get capacity(): number {
    return this.table?.capacity ?? 0;
  }

  has(id: JsonRpcId): boolean {
    return typeof id === 'number' && this.table?.get(id) !== undefined;
  }

  /** Adds a request; ids must come in increasing order (the connection's sequence). */
  add(entry: PendingRequest): void {
    (this.table ??= new IdTable(idOf)).add(entry);
  }

  /** Removes the entry and clears its timer and abort listener; undefined when gone. */
  take(id: JsonRpcId): PendingRequest | undefined {
    if (typeof id !== 'number' || !Number.isInteger(id)) return undefined;
    const entry = this.table?.delete(id);
    if (entry !== undefined) release(entry);
    return entry;
  }

  /** Removes every entry, in the order they were added, clearing each one's timer and listener. */
  takeAll(): PendingRequest[] {
    const entries = this.table?.values() ?? [];
    this.table = undefined;
    entries.sort((a, b) => a.id - b.id);
    entries.forEach(release);
    return entries;
  }
}

function idOf(entry: PendingRequest): number {
  return entry.id;
}

function release(entry: PendingRequest): void {
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
}
