/**
 * Calls from the peer not yet answered: what a reply, a cancel or a close needs to find.
 * @module
 */
import { joinBatch } from '../protocol/encode.js';
import { IdTable } from './id-table.js';
import type { JsonRpcId, JsonRpcRequest } from '../protocol/messages.js';

/** Collects the answers to one incoming batch and sends them as one array. */
export class BatchReply {
  private readonly texts: string[] = [];
  /** Run once the batch's answer is written (a stream's values must follow its answer). */
  private sent: (() => void)[] | undefined = undefined;
  private outstanding = 0;
  private sealed = false;

  constructor(private readonly link: { write(text: string): void }) {}

  /** One more request of the batch will be answered. */
  expect(): void {
    this.outstanding++;
  }

  /** An answer to a request of the batch (`expected`), or to an invalid member. */
  add(text: string, expected: boolean, onSent?: () => void): void {
    this.texts.push(text);
    if (onSent) (this.sent ??= []).push(onSent);
    if (expected) this.outstanding--;
    this.flush();
  }

  /** A request of the batch will not be answered (cancelled without an answer). */
  drop(): void {
    this.outstanding--;
    this.flush();
  }

  /** Every member was seen: send as soon as every answer is in. */
  seal(): void {
    this.sealed = true;
    this.flush();
  }

  private flush(): void {
    if (this.sealed && this.outstanding === 0 && this.texts.length > 0) {
      this.link.write(joinBatch(this.texts));
      this.texts.length = 0;
      const sent = this.sent;
      this.sent = undefined;
      sent?.forEach((callback) => callback());
    }
  }
}

/** One unanswered request from the peer. */
export class IncomingRequest {
  private controller: AbortController | undefined = undefined;
  private cancelled = false;

  constructor(
    readonly request: JsonRpcRequest,
    readonly batch: BatchReply | undefined,
  ) {}

  /** Aborted when the peer cancels or the connection closes; made on first use. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.cancelled) this.controller.abort();
    return this.controller.signal;
  }

  cancel(): void {
    this.cancelled = true;
    this.controller?.abort();
  }
}

/**
 * The unanswered requests of one connection, by id. Integer ids (what most peers send, as a
 * sequence) are kept in an {@link IdTable}, others in a Map. A peer that reuses an id while
 * the first request is unanswered gets both answered: the older entry is kept aside, found by
 * identity.
 */
export class IncomingRequests {
  // Each made on first use: an idle connection holds no table.
  private byNumber: IdTable<IncomingRequest> | undefined = undefined;
  private byOtherId: Map<JsonRpcId, IncomingRequest> | undefined = undefined;
  /** Older entries whose id a newer request reuses, by their request: found in O(1). */
  private shadowed: Map<JsonRpcRequest, IncomingRequest> | undefined = undefined;

  get size(): number {
    return (this.byNumber?.size ?? 0) + (this.byOtherId?.size ?? 0) + (this.shadowed?.size ?? 0);
  }

  add(entry: IncomingRequest): void {
    const { id } = entry.request;
    const older = this.take(id);
    if (older) (this.shadowed ??= new Map()).set(older.request, older);
    if (isInteger(id)) (this.byNumber ??= new IdTable(numericId)).add(entry);
    else (this.byOtherId ??= new Map<JsonRpcId, IncomingRequest>()).set(id, entry);
  }

  get(request: { readonly id?: JsonRpcId }): IncomingRequest | undefined {
    if (request.id === undefined) return undefined;
    const entry = this.getById(request.id);
    if (entry?.request === request) return entry;
    return this.shadowed?.get(request as JsonRpcRequest);
  }

  /** The latest unanswered request with this id (what a cancel notification names). */
  getById(id: JsonRpcId): IncomingRequest | undefined {
    return isInteger(id) ? this.byNumber?.get(id) : this.byOtherId?.get(id);
  }

  delete(entry: IncomingRequest): void {
    const { id } = entry.request;
    if (this.getById(id) === entry) this.take(id);
    else if (this.shadowed?.get(entry.request) === entry) this.shadowed.delete(entry.request);
  }

  /** Removes every entry and aborts each one's signal; returns them. */
  cancelAll(): IncomingRequest[] {
    const entries = [
      ...(this.byNumber?.values() ?? []),
      ...(this.byOtherId?.values() ?? []),
      ...(this.shadowed?.values() ?? []),
    ];
    this.byNumber = this.byOtherId = this.shadowed = undefined;
    for (const entry of entries) entry.cancel();
    return entries;
  }

  /** Removes and returns the latest entry with this id. */
  private take(id: JsonRpcId): IncomingRequest | undefined {
    if (isInteger(id)) return this.byNumber?.delete(id);
    const entry = this.byOtherId?.get(id);
    if (entry !== undefined) this.byOtherId!.delete(id);
    return entry;
  }
}

function isInteger(id: JsonRpcId): id is number {
  return Number.isInteger(id);
}

/** An entry's id, for the table: only entries with integer ids are put there. */
function numericId(entry: IncomingRequest): number {
  return entry.request.id as number;
}
