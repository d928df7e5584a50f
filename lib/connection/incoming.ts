/**
 * Calls from the peer not yet answered: what a reply, a cancel or a close needs to find.
 * @module
 */
import { joinBatch } from '../protocol/encode.js';
import type { JsonRpcId, JsonRpcRequest } from '../protocol/messages.js';

/** Collects the answers to one incoming batch and sends them as one array. */
export class BatchReply {
  private readonly texts: string[] = [];
  /** Run once the batch's answer is written (a stream's values must follow its answer). */
  private sent: (() => void)[] | undefined = undefined;
  private outstanding = 0;
  private sealed = false;

  constructor(private readonly send: (text: string) => void) {}

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
      this.send(joinBatch(this.texts));
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
 * The unanswered requests of one connection, by id. A peer that reuses an id while the first
 * request is unanswered gets both answered: the older entry is kept aside, found by identity.
 */
export class IncomingRequests {
  // Both made on first use: an idle connection holds no table.
  private byId: Map<JsonRpcId, IncomingRequest> | undefined = undefined;
  private shadowed: Set<IncomingRequest> | undefined = undefined;

  get size(): number {
    return (this.byId?.size ?? 0) + (this.shadowed?.size ?? 0);
  }

  add(entry: IncomingRequest): void {
    const byId = (this.byId ??= new Map<JsonRpcId, IncomingRequest>());
    const older = byId.get(entry.request.id);
    if (older) (this.shadowed ??= new Set<IncomingRequest>()).add(older);
    byId.set(entry.request.id, entry);
  }

  get(request: { readonly id?: JsonRpcId }): IncomingRequest | undefined {
    if (request.id === undefined) return undefined;
    const entry = this.byId?.get(request.id);
    if (entry?.request === request) return entry;
    if (this.shadowed)
      for (const older of this.shadowed) if (older.request === request) return older;
    return undefined;
  }

  /** The latest unanswered request with this id (what a cancel notification names). */
  getById(id: JsonRpcId): IncomingRequest | undefined {
    return this.byId?.get(id);
  }

  delete(entry: IncomingRequest): void {
    if (this.byId?.get(entry.request.id) === entry) this.byId.delete(entry.request.id);
    else this.shadowed?.delete(entry);
  }

  /** Removes every entry and aborts each one's signal. */
  cancelAll(): void {
    const entries = [...(this.byId?.values() ?? []), ...(this.shadowed ?? [])];
    this.byId?.clear();
    this.shadowed?.clear();
    for (const entry of entries) entry.cancel();
  }
}
