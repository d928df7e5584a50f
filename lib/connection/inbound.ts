/**
 * The receiving side of a connection: frames decoded and routed — answers to our requests,
 * the peer's requests (answered through {@link Answers}), its notifications and cancels.
 * @module
 */
import { Subject } from 'rxjs';
import type { CallDispatcher, ServePort } from '../dispatch/serve.js';
import { decodeFrame } from '../protocol/decode.js';
import { encodeError } from '../protocol/encode.js';
import { InternalError, MethodNotFoundError, type JsonRpcError } from '../protocol/errors.js';
import {
  isJsonRpcNotification,
  type JsonRpcCall,
  type JsonRpcErrorResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../protocol/messages.js';
import type { ServedStreams } from '../streams/served.js';
import { Answers, type AnswersPort } from './answers.js';
import { BatchReply } from './incoming.js';

/** What the receiving side needs of the connection's link. */
export interface InboundPort extends AnswersPort {
  /** An answer to one of our requests. */
  settle(response: JsonRpcResponse): void;
  /** Offers a notification to the `observe$()` streams; true when one took it. */
  consume(notification: JsonRpcNotification): boolean;
  /** The connection's server subscriptions, made on first use. */
  streams(): ServedStreams;
}

/**
 * Frames in; calls out to `serve()`'s dispatcher (for which it is the port) and to `calls`
 * subscribers.
 */
export class Inbound implements ServePort {
  // Each made on first use, so that an idle connection stays small.
  private answering: Answers | undefined = undefined;
  private callsSubject: Subject<JsonRpcCall> | undefined = undefined;
  private notificationsSubject: Subject<JsonRpcNotification> | undefined = undefined;
  private server: CallDispatcher | undefined = undefined;

  constructor(private readonly link: InboundPort) {}

  /** Requests from the peer not yet answered. */
  get incomingCount(): number {
    return this.answering?.count ?? 0;
  }

  /** Every incoming request and notification (made on first use). */
  get calls(): Subject<JsonRpcCall> {
    return (this.callsSubject ??= this.subject());
  }

  /** Incoming notifications alone (made on first use). */
  get notifications(): Subject<JsonRpcNotification> {
    return (this.notificationsSubject ??= this.subject());
  }

  /** The `serve()` being served: it takes every call, before `calls` subscribers do. */
  get serving(): CallDispatcher | undefined {
    return this.server;
  }

  attach(server: CallDispatcher): void {
    if (this.link.ended) return server.unsubscribe();
    this.server = server;
  }

  /** Resolves once `serve()`'s handlers have all settled (at once when not served). */
  idle(): Promise<void> {
    return this.server?.idle() ?? Promise.resolve();
  }

  detach(server: CallDispatcher): void {
    if (this.server === server) this.server = undefined;
  }

  signalOf(call: JsonRpcCall): AbortSignal {
    return this.answers().signalOf(call);
  }

  answer(
    call: JsonRpcCall,
    error: JsonRpcError | undefined,
    result?: unknown,
    onSent?: () => void,
  ): boolean {
    return this.answering?.answer(call, error, result, onSent) === true;
  }

  abandon(call: JsonRpcCall): void {
    this.answering?.cancel(call, true);
  }

  streams(): ServedStreams {
    return this.link.streams();
  }

  reportError(error: unknown, call?: JsonRpcCall): void {
    this.link.options.onError(error, call);
  }

  /** One frame from the peer. */
  receive(frame: Uint8Array | string): void {
    const decoded = decodeFrame(frame, this.link.options.maxBatchSize);
    if (!decoded.batch) {
      const message = decoded.messages[0];
      if (message) this.route(message, undefined);
      else for (const error of decoded.errors) this.sendError(error);
      return;
    }
    const batch = new BatchReply(this.link);
    for (const error of decoded.errors) batch.add(encodeError(error.id, error.error), false);
    for (const message of decoded.messages) this.route(message, batch);
    batch.seal();
  }

  /**
   * A `requests$` subscriber threw: reported, and the request its `next` was given answered
   * -32603 (`call` is undefined when its `error` or `complete` threw).
   */
  onSubscriberThrow(error: unknown, call: JsonRpcCall | undefined): void {
    this.link.options.onError(error, call);
    if (call) this.answering?.answer(call, new InternalError());
  }

  /** The link was lost: the peer's requests are cancelled, and none waiting will run. */
  cancelIncoming(): void {
    const requests = this.answering?.cancelAll() ?? [];
    const { server } = this;
    if (server) for (const request of requests) server.withdraw(request);
  }

  /** A notification no stream took: on to `requests$` and `notifications$`. */
  deliver(notification: JsonRpcNotification): void {
    this.server?.next(notification);
    this.callsSubject?.next(notification);
    this.notificationsSubject?.next(notification);
  }

  /** The connection ended: requests are cancelled, the call streams complete. */
  end(): void {
    this.answering?.end();
    this.server?.unsubscribe();
    this.callsSubject?.complete();
    this.notificationsSubject?.complete();
  }

  private answers(): Answers {
    return (this.answering ??= new Answers(this.link));
  }

  private subject<T>(): Subject<T> {
    const subject = new Subject<T>();
    if (this.link.ended) subject.complete();
    return subject;
  }

  private sendError(response: JsonRpcErrorResponse): void {
    this.link.write(encodeError(response.id, response.error));
  }

  private route(message: JsonRpcMessage, batch: BatchReply | undefined): void {
    if (!('method' in message)) return this.link.settle(message);
    if (isJsonRpcNotification(message)) this.onNotification(message);
    else this.onRequest(message, batch);
  }

  private onRequest(request: JsonRpcRequest, batch: BatchReply | undefined): void {
    const answers = this.answers();
    if (!answers.admit(request, batch)) return;
    const { server, callsSubject } = this;
    if (!server && !callsSubject?.observed) {
      return void answers.answer(request, new MethodNotFoundError());
    }
    server?.next(request);
    callsSubject?.next(request);
  }

  private onNotification(notification: JsonRpcNotification): void {
    const { cancellation } = this.link.options;
    if (cancellation && notification.method === cancellation.method) {
      const params = notification.params as Record<string, unknown> | undefined;
      const id = params?.[cancellation.idField];
      if (typeof id !== 'string' && typeof id !== 'number') return;
      const request = this.answering?.unansweredById(id);
      if (!request) return;
      // Withdrawn first: a call still waiting for a handler slot must never start.
      this.server?.withdraw(request);
      return this.answering!.cancel(request, cancellation.answer);
    }
    if (!this.link.consume(notification)) this.deliver(notification);
  }
}
