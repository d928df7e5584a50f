/**
 * Answers to the peer's requests: each answered once, in its batch if it came in one, past
 * `maxIncomingRequests` at once; and the signals that tell handlers a request was cancelled
 * or the connection ended.
 * @module
 */
import { encodeError, encodeResult } from '../protocol/encode.js';
import { InternalError, JsonRpcError, RequestCancelledError } from '../protocol/errors.js';
import type { JsonRpcCall, JsonRpcId, JsonRpcRequest } from '../protocol/messages.js';
import { IncomingRequests, IncomingRequest, type BatchReply } from './incoming.js';
import type { ResolvedConnectionOptions } from './options.js';

const TOO_MANY_INCOMING = -32000;

/** What answering needs of the connection's link. */
export interface AnswersPort {
  /** Writes one frame's text. */
  write(text: string): void;
  /** True once the connection has ended. */
  readonly ended: boolean;
  readonly options: ResolvedConnectionOptions;
}

/** The peer's unanswered requests, and the answering of them. */
export class Answers {
  // Made on first use, so that an idle connection stays small.
  private incomingRequests: IncomingRequests | undefined = undefined;
  /** Aborted at the end: the signal of notifications' handlers. */
  private lifetime: AbortController | undefined = undefined;

  constructor(private readonly link: AnswersPort) {}

  /** How many of the peer's requests are unanswered. */
  get count(): number {
    return this.incomingRequests?.size ?? 0;
  }

  /**
   * A request from the peer, now awaiting its answer (in `batch`'s, if it came in one).
   * @returns false when it must not run: past `maxIncomingRequests` it was answered -32000
   */
  admit(request: JsonRpcRequest, batch: BatchReply | undefined): boolean {
    batch?.expect();
    const incoming = (this.incomingRequests ??= new IncomingRequests());
    incoming.add(new IncomingRequest(request, batch));
    const { maxIncomingRequests } = this.link.options;
    if (incoming.size <= maxIncomingRequests) return true;
    const data = { maxIncomingRequests };
    this.answer(request, new JsonRpcError(TOO_MANY_INCOMING, 'Too many concurrent requests', data));
    return false;
  }

  /**
   * The signal of an incoming call: a request's aborts when the peer cancels it or the
   * connection ends; a notification's (one for all) when the connection ends.
   */
  signalOf(call: JsonRpcCall): AbortSignal {
    if (call.id !== undefined)
      return this.incomingRequests?.get(call)?.signal ?? AbortSignal.abort();
    this.lifetime ??= new AbortController();
    if (this.link.ended) this.lifetime.abort();
    return this.lifetime.signal;
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
    this.incomingRequests!.delete(entry);
    const { id } = entry.request;
    let text: string;
    try {
      text = error ? encodeError(id, error.toJSON()) : encodeResult(id, result);
    } catch (cause) {
      this.link.options.onError(cause, call);
      text = encodeError(id, new InternalError().toJSON());
    }
    if (entry.batch) {
      entry.batch.add(text, true, onSent);
    } else {
      this.link.write(text);
      onSent?.();
    }
    return true;
  }

  /** The latest unanswered request with this id (what a cancel notification names). */
  unansweredById(id: JsonRpcId): JsonRpcRequest | undefined {
    return this.incomingRequests?.getById(id)?.request;
  }

  /** Cancels an unanswered request: its signal aborts; it is answered -32800 if `answer`. */
  cancel(call: JsonRpcCall, answer: boolean): void {
    const entry = this.incomingRequests?.get(call);
    if (!entry) return;
    if (answer) {
      this.answer(entry.request, new RequestCancelledError());
    } else {
      this.incomingRequests!.delete(entry);
      entry.batch?.drop();
    }
    entry.cancel();
  }

  /** Cancels every unanswered request of the peer, unanswered (its link was lost); returns them. */
  cancelAll(): JsonRpcRequest[] {
    return (this.incomingRequests?.cancelAll() ?? []).map((entry) => entry.request);
  }

  /** The connection ended: the peer's requests are cancelled, the signals abort. */
  end(): void {
    this.lifetime?.abort();
    this.incomingRequests?.cancelAll();
  }
}
