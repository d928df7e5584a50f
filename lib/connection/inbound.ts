/**
 * The receiving side of a connection: frames decoded and routed — answers to our requests,
 * the peer's requests (limited, answered once), its notifications and cancels.
 * @module
 */
import { Subject } from 'rxjs';
import {
  answerToInvalid,
  decodeBatch,
  parseError,
  parseFrame,
  toMessage,
  UNPARSABLE,
} from '../protocol/decode.js';
import { encodeError, encodeResult } from '../protocol/encode.js';
import {
  InternalError,
  JsonRpcError,
  MethodNotFoundError,
  RequestCancelledError,
} from '../protocol/errors.js';
import {
  isJsonRpcNotification,
  type JsonRpcCall,
  type JsonRpcErrorResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from '../protocol/messages.js';
import { BatchReply, IncomingRequest, IncomingRequests } from './incoming.js';
import type { ResolvedConnectionOptions } from './options.js';
import type { OutgoingCalls } from './outgoing.js';

const TOO_MANY_INCOMING = -32000;

/** What the receiving side needs of its connection. */
export interface InboundPort {
  readonly options: ResolvedConnectionOptions;
  readonly outgoing: OutgoingCalls;
  /** Writes one frame's text (nothing once closed or offline). */
  send(text: string): void;
  /** Offers a notification to the `observe$()` streams; true when one took it. */
  consume(notification: JsonRpcNotification): boolean;
}

/** Frames in; `calls` and `notifications` out; answers to the peer's requests. */
export class Inbound {
  readonly incoming = new IncomingRequests();
  /** Every incoming request and notification. */
  readonly calls = new Subject<JsonRpcCall>();
  private notificationsSubject: Subject<JsonRpcNotification> | undefined = undefined;
  private ended = false;

  constructor(private readonly port: InboundPort) {}

  /** Incoming notifications alone (made on first use). */
  get notifications(): Subject<JsonRpcNotification> {
    if (!this.notificationsSubject) {
      this.notificationsSubject = new Subject<JsonRpcNotification>();
      if (this.ended) this.notificationsSubject.complete();
    }
    return this.notificationsSubject;
  }

  receive(frame: Uint8Array | string): void {
    const value = parseFrame(frame);
    if (value === UNPARSABLE) return this.sendError(parseError());
    if (!Array.isArray(value) || value.length === 0) {
      const message = toMessage(value);
      if (message) return this.route(message, undefined);
      const error = answerToInvalid(value);
      if (error) this.sendError(error);
      return;
    }
    const decoded = decodeBatch(value, this.port.options.maxBatchSize);
    const batch = new BatchReply((text) => this.port.send(text));
    for (const error of decoded.errors) batch.add(encodeError(error.id, error.error), false);
    for (const message of decoded.messages) this.route(message, batch);
    batch.seal();
  }

  /** A notification no stream took: on to `requests$` and `notifications$`. */
  deliver(notification: JsonRpcNotification): void {
    this.calls.next(notification);
    this.notificationsSubject?.next(notification);
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
    const entry = this.incoming.get(call);
    if (!entry) return false;
    this.incoming.delete(entry);
    const { id } = entry.request;
    let text: string;
    try {
      text = error ? encodeError(id, error.toJSON()) : encodeResult(id, result);
    } catch (cause) {
      this.port.options.onError(cause, call);
      text = encodeError(id, new InternalError().toJSON());
    }
    if (entry.batch) {
      entry.batch.add(text, true, onSent);
    } else {
      this.port.send(text);
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

  /** A `requests$` subscriber threw: reported, and its request answered -32603. */
  onSubscriberThrow(error: unknown, call: JsonRpcCall): void {
    this.port.options.onError(error, call);
    this.answer(call, new InternalError());
  }

  close(): void {
    this.incoming.cancelAll();
    this.ended = true;
    this.calls.complete();
    this.notificationsSubject?.complete();
  }

  private sendError(response: JsonRpcErrorResponse): void {
    this.port.send(encodeError(response.id, response.error));
  }

  private route(message: JsonRpcMessage, batch: BatchReply | undefined): void {
    if (!('method' in message)) return this.port.outgoing.settle(message);
    if (isJsonRpcNotification(message)) this.onNotification(message);
    else this.onRequest(message, batch);
  }

  private onRequest(request: JsonRpcRequest, batch: BatchReply | undefined): void {
    const entry = new IncomingRequest(request, batch);
    batch?.expect();
    const { maxIncomingRequests } = this.port.options;
    this.incoming.add(entry);
    if (this.incoming.size > maxIncomingRequests) {
      const data = { maxIncomingRequests };
      return void this.answer(
        request,
        new JsonRpcError(TOO_MANY_INCOMING, 'Too many concurrent requests', data),
      );
    }
    if (this.calls.observed) this.calls.next(request);
    else this.answer(request, new MethodNotFoundError());
  }

  private onNotification(notification: JsonRpcNotification): void {
    const { cancellation } = this.port.options;
    if (cancellation && notification.method === cancellation.method) {
      const params = notification.params as Record<string, unknown> | undefined;
      const id = params?.[cancellation.idField];
      const entry =
        typeof id === 'string' || typeof id === 'number' ? this.incoming.getById(id) : undefined;
      return this.cancel(entry, cancellation.answer);
    }
    if (!this.port.consume(notification)) this.deliver(notification);
  }
}
