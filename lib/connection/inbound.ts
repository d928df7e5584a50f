/**
 * The receiving side of a connection: frames decoded and routed — answers to our requests,
 * the peer's requests (limited, answered once: see answers.ts), its notifications and cancels.
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
import { encodeError } from '../protocol/encode.js';
import { InternalError, JsonRpcError, MethodNotFoundError } from '../protocol/errors.js';
import {
  isJsonRpcNotification,
  type JsonRpcCall,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from '../protocol/messages.js';
import type { CallSink, ServePort } from '../dispatch/serve.js';
import type { ServedStreams } from '../streams/served.js';
import { CONSUME, END, STREAMS, WRITE, type InboundHost, type ServeHost } from './hooks.js';
import { Answers } from './answers.js';
import { BatchReply, IncomingRequest } from './incoming.js';
import type { ResolvedConnectionOptions } from './options.js';
import type { OutgoingCalls } from './outgoing.js';

const TOO_MANY_INCOMING = -32000;

type Host = InboundHost & ServeHost;

/**
 * Frames in; calls out to `serve()`'s dispatcher (for which it is the port) and to `calls`
 * subscribers; answers to the peer's requests. It is the connection's subscriber to its
 * transport: a Subscriber of its own, so subscribing wraps nothing.
 */
export class Inbound extends Answers implements ServePort<Host> {
  // Made on first use, so that an idle connection stays small.
  private callsSubject: Subject<JsonRpcCall> | undefined = undefined;
  private notificationsSubject: Subject<JsonRpcNotification> | undefined = undefined;
  private server: CallSink | undefined = undefined;

  constructor(
    options: ResolvedConnectionOptions,
    private readonly outgoing: OutgoingCalls,
    protected override readonly host: Host,
  ) {
    super(options, host);
  }

  /** The connection, for `serve()`'s handlers. */
  get connection(): Host {
    return this.host;
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
  get serving(): CallSink | undefined {
    return this.server;
  }

  attach(server: CallSink): void {
    if (this.closed) return server.unsubscribe();
    this.server = server;
  }

  detach(server: CallSink): void {
    if (this.server === server) this.server = undefined;
  }

  reportError(error: unknown, call?: JsonRpcCall): void {
    this.options.onError(error, call);
  }

  streams(): ServedStreams {
    return this.host[STREAMS]();
  }

  protected override _next(frame: Uint8Array | string): void {
    try {
      this.receive(frame);
    } catch (error) {
      // Not expected (handlers' throws are caught where they run); never into the transport.
      this.options.onError(error);
    }
  }

  protected override _error(error: unknown): void {
    this.unsubscribe();
    this.host[END]({ reason: 'error', error });
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.host[END]({ reason: 'remote' });
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
    this.receiveBatch(value);
  }

  // A method of its own: a closure in receive() would cost a context on every frame.
  private receiveBatch(members: unknown[]): void {
    const decoded = decodeBatch(members, this.options.maxBatchSize);
    const batch = new BatchReply((text) => this.host[WRITE](text));
    for (const error of decoded.errors) batch.add(encodeError(error.id, error.error), false);
    for (const message of decoded.messages) this.route(message, batch);
    batch.seal();
  }

  /**
   * A `requests$` subscriber threw: reported, and the request its `next` was given answered
   * -32603 (`call` is undefined when its `error` or `complete` threw).
   */
  onSubscriberThrow(error: unknown, call: JsonRpcCall | undefined): void {
    this.options.onError(error, call);
    if (call) this.answer(call, new InternalError());
  }

  /** The link was lost: the peer's requests are cancelled, and none waiting will run. */
  override cancelIncoming(): readonly IncomingRequest[] {
    const entries = super.cancelIncoming();
    const { server } = this;
    if (server) for (const entry of entries) server.withdraw(entry.request);
    return entries;
  }

  /** A notification no stream took: on to `requests$` and `notifications$`. */
  deliver(notification: JsonRpcNotification): void {
    this.server?.next(notification);
    this.callsSubject?.next(notification);
    this.notificationsSubject?.next(notification);
  }

  /** The connection ended: frames stop, requests are cancelled, the call streams complete. */
  end(): void {
    this.unsubscribe();
    this.endAnswers();
    this.server?.unsubscribe();
    this.callsSubject?.complete();
    this.notificationsSubject?.complete();
  }

  private subject<T>(): Subject<T> {
    const subject = new Subject<T>();
    if (this.closed) subject.complete();
    return subject;
  }

  private route(message: JsonRpcMessage, batch: BatchReply | undefined): void {
    if (!('method' in message)) return this.outgoing.settle(message);
    if (isJsonRpcNotification(message)) this.onNotification(message);
    else this.onRequest(message, batch);
  }

  private onRequest(request: JsonRpcRequest, batch: BatchReply | undefined): void {
    const entry = new IncomingRequest(request, batch);
    batch?.expect();
    const { maxIncomingRequests } = this.options;
    this.incoming.add(entry);
    if (this.incoming.size > maxIncomingRequests) {
      const data = { maxIncomingRequests };
      return void this.answer(
        request,
        new JsonRpcError(TOO_MANY_INCOMING, 'Too many concurrent requests', data),
      );
    }
    const { server, callsSubject } = this;
    if (!server && !callsSubject?.observed)
      return void this.answer(request, new MethodNotFoundError());
    server?.next(request);
    callsSubject?.next(request);
  }

  private onNotification(notification: JsonRpcNotification): void {
    const { cancellation } = this.options;
    if (cancellation && notification.method === cancellation.method) {
      const params = notification.params as Record<string, unknown> | undefined;
      const id = params?.[cancellation.idField];
      const entry =
        typeof id === 'string' || typeof id === 'number' ? this.incomingById(id) : undefined;
      if (entry) this.server?.withdraw(entry.request);
      return this.cancel(entry, cancellation.answer);
    }
    if (!this.host[CONSUME](notification)) this.deliver(notification);
  }
}
