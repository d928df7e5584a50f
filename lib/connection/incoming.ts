/**
 * Calls from the peer not yet answered: what a reply, a cancel or a close needs to find.
 * @module
 */
import { joinBatch } from '../protocol/encode.js';
import type { JsonRpcId, JsonRpcRequest } from '../protocol/messages.js';

/** Collects the answers to one incoming batch and sends them as one array. */
export class BatchReply {
  private readonly texts: string[] = [];
  private outstanding = 0;
  private sealed = false;

  constructor(private readonly send: (text: string) => void) {}

  /** One more request of the batch will be answered. */
  expect(): void {
    this.outstanding++;
  }

  /** An answer to a request of the batch (`expected`), or to an invalid member. */
  add(text: string, expected: boolean): void {
    this.texts.push(text);
    if (expected) this.outstanding--;
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

/** The unanswered requests of one connection, by request object and by id. */
export class IncomingRequests {
  private readonly byRequest = new Map<JsonRpcRequest, IncomingRequest>();
  private readonly byId = new Map<JsonRpcId, IncomingRequest>();

  get size(): number {
    return this.byRequest.size;
  }

  add(entry: IncomingRequest): void {
    this.byRequest.set(entry.request, entry);
    this.byId.set(entry.request.id, entry);
  }

  get(request: object): IncomingRequest | undefined {
    return this.byRequest.get(request as JsonRpcRequest);
  }

  /** The latest unanswered request with this id (what a cancel notification names). */
  getById(id: JsonRpcId): IncomingRequest | undefined {
    return this.byId.get(id);
  }

  delete(entry: IncomingRequest): void {
    this.byRequest.delete(entry.request);
    if (this.byId.get(entry.request.id) === entry) this.byId.delete(entry.request.id);
  }

  /** Removes every entry and aborts each one's signal. */
  cancelAll(): void {
    const entries = [...this.byRequest.values()];
    this.byRequest.clear();
    this.byId.clear();
    for (const entry of entries) entry.cancel();
  }
}
