/**
 * Requests of ours awaiting an answer: one record each in a Map, deleted on every exit.
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

/** The pending requests of one connection, by id: O(1) correlation of every answer. */
export class PendingRequests {
  /** Made on first use: an idle connection holds no table. */
  private byId: Map<JsonRpcId, PendingRequest> | undefined = undefined;

  get size(): number {
    return this.byId?.size ?? 0;
  }

  has(id: JsonRpcId): boolean {
    return this.byId?.has(id) ?? false;
  }

  add(entry: PendingRequest): void {
    (this.byId ??= new Map()).set(entry.id, entry);
  }

  /** Removes the entry and clears its timer and abort listener; undefined when gone. */
  take(id: JsonRpcId): PendingRequest | undefined {
    const entry = this.byId?.get(id);
    if (entry === undefined) return undefined;
    this.byId!.delete(id);
    release(entry);
    return entry;
  }

  /** Removes every entry, clearing each one's timer and listener. */
  takeAll(): PendingRequest[] {
    if (!this.byId) return [];
    const entries = [...this.byId.values()];
    this.byId.clear();
    entries.forEach(release);
    return entries;
  }
}

function release(entry: PendingRequest): void {
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
}
