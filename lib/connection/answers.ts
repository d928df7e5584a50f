/**
 * Answers to the peer's requests: each answered once, in its batch if it came in one, and
 * the signals that tell handlers a request was cancelled or the connection ended.
 * @module
 */
import { encodeError, encodeResult } from '../protocol/encode.js';
import { InternalError, RequestCancelledError, type JsonRpcError } from '../protocol/errors.js';
import type { JsonRpcCall, JsonRpcErrorResponse } from '../protocol/messages.js';
import { WRITE, type InboundHost } from './hooks.js';
import { IncomingRequests, type IncomingRequest } from './incoming.js';
import { OneTeardownSubscriber } from './one-teardown.js';
import type { ResolvedConnectionOptions } from './options.js';

/**
 * The answering half of the receiving side (see `Inbound`, which extends it). It is the
 * connection's subscriber to its transport; frames stop (`closed`) only when the connection
 * ends.
 */
export abstract class Answers extends OneTeardownSubscriber<Uint8Array | string> {
  // Made on first use, so that an idle connection stays small.
  private incomingRequests: IncomingRequests | undefined = undefined;
  /** Aborted at the end: the signal of notifications' handlers. */
  private lifetime: AbortController | undefined = undefined;

  constructor(
    protected readonly options: ResolvedConnectionOptions,
    protected readonly host: InboundHost,
  ) {
    super();
  }

  /** The peer's unanswered requests. */
  get incoming(): IncomingRequests {
    return (this.incomingRequests ??= new IncomingRequests());
  }

  /** How many of the peer's requests are unanswered. */
  get incomingCount(): number {
    return this.incomingRequests?.size ?? 0;
  }

  /**
   * The signal of an incoming call: a request's aborts when the peer cancels it or the
   * connection ends; a notification's (one for all) when the connection ends.
   */
  signalOf(call: JsonRpcCall): AbortSignal {
    if (call.id !== undefined)
      return this.incomingRequests?.get(call)?.signal ?? AbortSignal.abort();
    this.lifetime ??= new AbortController();
    if (this.closed) this.lifetime.abort();
    return this.lifetime.signal;
  }

  abandon(call: JsonRpcCall): void {
    this.cancel(this.incomingRequests?.get(call), true);
  }

  /**
   * Sends the answer to an incoming request, once; a result JSON cannot carry becomes
   * -32603. `onSent` runs once it is written (with its batch).
   * @returns false when the request is not awaiting an answer (answered, cancelled, a notification)
   */
  answer(
    call: JsonRpcCall,
    error: JsonRpcError | undefined,
    result?: unknown,
    onSent?: () => void,
  ): boolean {
    const entry = this.incomingRequests?.get(call);
    if (!entry) return false;
    this.incoming.delete(entry);
    const { id } = entry.request;
    let text: string;
    try {
      text = error ? encodeError(id, error.toJSON()) : encodeResult(id, result);
    } catch (cause) {
      this.options.onError(cause, call);
      text = encodeError(id, new InternalError().toJSON());
    }
    if (entry.batch) {
      entry.batch.add(text, true, onSent);
    } else {
      this.host[WRITE](text);
      onSent?.();
    }
    return true;
  }

  /** Cancels an unanswered request: its signal aborts; it is answered -32800 if `answer`. */
  cancel(entry: IncomingRequest | undefined, answer: boolean): void {
    if (!entry) return;
    if (answer) {
      this.answer(entry.request, new RequestCancelledError());
    } else {
      this.incoming.delete(entry);
      entry.batch?.drop();
    }
    entry.cancel();
  }

  /** Cancels every unanswered request of the peer (its link was lost); returns them. */
  cancelIncoming(): readonly IncomingRequest[] {
    return this.incomingRequests?.cancelAll() ?? [];
  }

  protected sendError(response: JsonRpcErrorResponse): void {
    this.host[WRITE](encodeError(response.id, response.error));
  }

  /** The connection ended: the peer's requests are cancelled, the signals abort. */
  protected endAnswers(): void {
    this.lifetime?.abort();
    this.incomingRequests?.cancelAll();
  }

  /** The latest unanswered request with this id (what a cancel notification names). */
  protected incomingById(id: string | number): IncomingRequest | undefined {
    return this.incomingRequests?.getById(id);
  }
}
