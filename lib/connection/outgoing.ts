/**
 * Calls of ours: ids, pending requests with their timeout and signal, the cancel
 * notification, and the frames that wait while a reconnecting link is down.
 * @module
 */
import { encodeCall, joinBatch } from '../protocol/encode.js';
import {
  JsonRpcError,
  RequestCancelledError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
} from '../protocol/errors.js';
import type { JsonRpcParams, JsonRpcResponse } from '../protocol/messages.js';
import { timeoutOption } from '../util/options.js';
import type { BatchMembers, BatchPort } from './batch.js';
import { LateAnswers } from './late-answers.js';
import type { ResolvedConnectionOptions } from './options.js';
import { PendingRequest, PendingRequests, type Settle } from './pending.js';
import { liveText, refusalToWait, WaitingFrames, type WaitingFrame } from './waiting.js';

/** Per-call options of `request()` and `request$()`. */
export interface RequestOptions {
  /** Aborting it cancels the request: it rejects at once and the peer is told. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the answer; `0` waits for ever. @default the connection's `timeout` */
  timeout?: number;
}

/** What our calls need of their connection's link. */
export interface OutgoingPort {
  /** Writes one frame's text. */
  write(text: string): void;
  /** True while the link is up: frames are written, not parked. */
  readonly online: boolean;
  /** Why the connection ended; undefined while it lives. */
  readonly closeError: Error | undefined;
}

/** The outgoing side of one connection. */
export class OutgoingCalls implements BatchPort {
  private readonly pending = new PendingRequests();
  /** Frames waiting for a link; made when one waits. */
  private waiting: WaitingFrames | undefined = undefined;
  /** Requests of a batch being built: registered, not written yet. */
  private drafts: Set<number> | undefined = undefined;
  /** What to do with a late result, by id, for requests given up on; made on first use. */
  private late: LateAnswers | undefined = undefined;
  private nextId = 1;

  constructor(
    private readonly options: ResolvedConnectionOptions,
    private readonly link: OutgoingPort,
  ) {}

  /** Requests awaiting an answer (waiting ones included). */
  get size(): number {
    return this.pending.size;
  }

  /** Registers and sends (or parks) a request; its id while it is pending, else undefined. */
  request(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions | undefined,
    settle: Settle,
  ): number | undefined {
    return this.send(method, params, options, PendingRequest.settledBy(settle));
  }

  /** As {@link request}, settling a promise's own record (the hot path). */
  send(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions | undefined,
    entry: PendingRequest,
  ): number | undefined {
    const id = this.register(method, options, entry);
    if (id === undefined) return undefined;
    try {
      this.transmit(encodeCall(method, params, id), id);
      return id;
    } catch (error) {
      this.pending.take(id)?.settle(error as Error);
      return undefined;
    }
  }

  /**
   * Registers a request before its frame is written: its id, or undefined when it was settled
   * at once. `method` names it in a timeout's error.
   */
  register(
    method: string,
    options: RequestOptions | undefined,
    entry: PendingRequest,
  ): number | undefined {
    const signal = options?.signal;
    const timeoutMs =
      options?.timeout === undefined
        ? this.options.timeoutMs
        : timeoutOption('timeout', options.timeout, 0);
    const { closeError } = this.link;
    if (closeError) return void entry.settle(closeError);
    if (signal?.aborted) return void entry.settle(new RequestCancelledError());
    if (this.pending.size >= this.options.maxPendingRequests) {
      return void entry.settle(new TooManyPendingRequestsError(this.options.maxPendingRequests));
    }
    if (!this.link.online) {
      const refusal = this.refusal(1);
      if (refusal) return void entry.settle(refusal);
    }
    entry.id = this.nextId++;
    this.pending.add(entry);
    if (timeoutMs > 0 || signal) this.guard(entry, method, timeoutMs, signal);
    return entry.id;
  }

  /**
   * Arms a request's timer and abort listener. A method of its own: the closures it makes
   * would otherwise cost every request a context, guarded or not.
   */
  private guard(
    entry: PendingRequest,
    method: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): void {
    const { id } = entry;
    if (timeoutMs > 0) {
      entry.timer = setTimeout(
        () => this.abandon(id, new RequestTimeoutError(method, timeoutMs)),
        timeoutMs,
      );
    }
    if (signal) {
      entry.signal = signal;
      entry.onAbort = () => this.abandon(id, new RequestCancelledError());
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
  }

  /** Writes the frame of a registered request, or parks it while offline. */
  transmit(text: string, id: number): void {
    if (this.link.online) this.link.write(text);
    // The frame's record is made only for a frame that waits: not on every request's path.
    else this.park({ texts: [text], ids: [id], batch: false });
  }

  /** Registers a request of a batch being built: not sent until the batch is. */
  draft(
    method: string,
    options: RequestOptions | undefined,
    entry: PendingRequest,
  ): number | undefined {
    const id = this.register(method, options, entry);
    if (id !== undefined) (this.drafts ??= new Set()).add(id);
    return id;
  }

  /** A batch that will not be sent: its requests reject with `error`. */
  discard(ids: readonly (number | undefined)[], error: Error): void {
    for (const id of ids) {
      if (id === undefined) continue;
      this.drafts?.delete(id);
      this.pending.take(id)?.settle(error);
    }
  }

  /**
   * Sends a built batch, made of its calls still live (a request aborted while it was built
   * is left out), or parks it while offline, or refuses it whole past `maxWaitingCalls`.
   */
  transmitBatch(batch: BatchMembers): void {
    const texts: string[] = [];
    const ids: (number | undefined)[] = [];
    batch.ids.forEach((id, index) => {
      if (id !== undefined) {
        this.drafts?.delete(id);
        if (!this.pending.has(id)) return; // settled while the batch was built
      }
      texts.push(batch.texts[index]!);
      ids.push(id);
    });
    if (texts.length === 0) return;
    const { closeError } = this.link;
    if (closeError) return this.refuse(ids, closeError);
    if (!this.link.online) {
      const refusal = this.refusal(texts.length);
      if (refusal) return this.refuse(ids, refusal);
      return this.park({ texts, ids, batch: true });
    }
    try {
      this.link.write(joinBatch(texts));
    } catch (error) {
      this.refuse(ids, error as Error);
    }
  }

  /** Writes a notification, or parks it while offline; resolves once written. */
  notify(text: string): Promise<void> {
    const { closeError } = this.link;
    if (closeError) return Promise.reject(closeError);
    if (this.link.online) {
      this.link.write(text);
      return Promise.resolve();
    }
    const refusal = this.refusal(1);
    if (refusal) return Promise.reject(refusal);
    return new Promise((resolve, reject) => {
      const settle = (error?: Error): void => (error ? reject(error) : resolve());
      this.park({ texts: [text], ids: [undefined], batch: false, settle });
    });
  }

  /** Gives up on a request: it rejects with `error`; the peer is told if it was sent. */
  abandon(id: number, error: Error): void {
    const wasSent = !this.unpark(id);
    const entry = this.pending.take(id);
    if (!entry) return;
    entry.settle(error);
    if (wasSent) this.sendCancel(id);
  }

  /**
   * Gives up on a request without settling it: it leaves the pending table at once and the
   * peer is told; should its result still arrive, `late` gets it (for the last
   * `LATE_ANSWERS_KEPT` requests given up on while the link lasts).
   */
  forsake(id: number, late: (result: unknown) => void): void {
    if (this.withdraw(id) || !this.pending.take(id)) return;
    this.sendCancel(id);
    (this.late ??= new LateAnswers()).add(id, late);
  }

  /**
   * Rejects a request with the error `reason` makes, the peer not told: for a transport that
   * knows the answer will never come (an HTTP response that failed). The error is made only
   * for a request still pending; false when it is not.
   */
  fail(id: number, reason: () => Error): boolean {
    this.unpark(id);
    const entry = this.pending.take(id);
    entry?.settle(reason());
    return entry !== undefined;
  }

  /** Takes back a request not sent yet, without settling it; false once it was sent. */
  withdraw(id: number): boolean {
    if (!this.unpark(id)) return false;
    this.pending.take(id);
    return true;
  }

  /** An answer from the peer; one with an unknown id is dropped, never answered. */
  settle(response: JsonRpcResponse): void {
    const entry = this.pending.take(response.id);
    if (!entry) return void this.late?.take(response);
    if ('error' in response) entry.settle(JsonRpcError.from(response.error));
    else entry.settle(undefined, response.result);
  }

  /** The link dropped: what was sent on it rejects, and is never re-sent. */
  linkLost(error: Error): void {
    this.late = undefined;
    for (const entry of this.pending.takeAll()) entry.settle(error);
  }

  /** A link is up: the waiting frames go out, in order, made of their calls still live. */
  linkOpen(): void {
    const frames = this.waiting?.takeAll() ?? [];
    this.waiting = undefined;
    const isLive = (id: number): boolean => this.pending.has(id);
    for (const frame of frames) {
      const text = liveText(frame, isLive);
      if (text === undefined) continue;
      this.link.write(text);
      frame.settle?.();
    }
  }

  /** The connection closed: everything pending or waiting rejects with `error`. */
  close(error: Error): void {
    this.late = undefined;
    for (const entry of this.pending.takeAll()) entry.settle(error);
    const frames = this.waiting?.takeAll() ?? [];
    this.waiting = undefined;
    for (const { settle } of frames) settle?.(error);
  }

  private sendCancel(id: number): void {
    const { cancellation } = this.options;
    if (cancellation && cancellation.send && this.link.online) {
      this.link.write(encodeCall(cancellation.method, { [cancellation.idField]: id }, undefined));
    }
  }

  private park(frame: WaitingFrame): void {
    (this.waiting ??= new WaitingFrames()).add(frame);
  }

  /** Why `calls` calls made while offline cannot wait, if they cannot. */
  private refusal(calls: number): Error | undefined {
    return refusalToWait(this.options, this.waiting?.size ?? 0, calls);
  }

  /** A batch is not sent: its requests reject with `error`, its notifications go to onError. */
  private refuse(ids: readonly (number | undefined)[], error: Error): void {
    let notifications = false;
    for (const id of ids) {
      if (id === undefined) notifications = true;
      else this.pending.take(id)?.settle(error);
    }
    if (notifications) this.options.onError(error);
  }

  /** Takes back a request not written yet (being built, or waiting); true when it was. */
  private unpark(id: number): boolean {
    return this.drafts?.delete(id) === true || this.waiting?.remove(id) === true;
  }
}
