/**
 * Calls of ours: ids, pending requests with their timeout and signal, the cancel
 * notification, and the frames that wait while a reconnecting link is down.
 * @module
 */
import { encodeCall } from '../protocol/encode.js';
import {
  ConnectionClosedError,
  JsonRpcError,
  RequestCancelledError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
} from '../protocol/errors.js';
import type { JsonRpcParams, JsonRpcResponse } from '../protocol/messages.js';
import { WRITE } from './hooks.js';
import { type ResolvedConnectionOptions } from './options.js';
import { timeoutOption } from '../options.js';
import { fromSettle, PendingRequest, PendingRequests, type Settle } from './pending.js';

/** Per-call options of `request()` and `request$()`. */
export interface RequestOptions {
  /** Aborting it cancels the request: it rejects at once and the peer is told. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the answer; `0` waits for ever. @default the connection's `timeout` */
  timeout?: number;
}

/** A frame waiting for the link: its requests' ids, or how to settle a notification. */
interface Parked {
  readonly text: string;
  ids: readonly number[];
  readonly settle?: (error?: Error) => void;
}

/** Where frames are written: the connection. */
export interface FrameWriter {
  [WRITE](text: string): void;
}

/** Shared by every connection with nothing waiting (most): never added to. */
const NOTHING_PARKED: Parked[] = [];

/**
 * Requests given up on with {@link OutgoingCalls.forsake} whose late answer is still looked
 * for: the most recent ones, so that a peer that never answers costs a bounded amount.
 */
export const LATE_ANSWERS_KEPT = 1000;

/** The outgoing side of one connection. */
export class OutgoingCalls {
  private readonly pending = new PendingRequests();
  /** Frames waiting for a link; the shared empty list until one waits. */
  private parked: Parked[] = NOTHING_PARKED;
  /** What to do with a late result, by id, for requests given up on; made on first use. */
  private late: Map<number, (result: unknown) => void> | undefined = undefined;
  private nextId = 1;
  private online = true;
  private closeError: Error | undefined = undefined;

  constructor(
    private readonly options: ResolvedConnectionOptions,
    private readonly writer: FrameWriter,
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
    const [resolve, reject] = fromSettle(settle);
    return this.send(method, params, options, resolve, reject);
  }

  /** As {@link request}, with the promise's own resolve and reject (the hot path). */
  send(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions | undefined,
    resolve: (result: unknown) => void,
    reject: (error: Error) => void,
  ): number | undefined {
    const id = this.register(method, params, options, resolve, reject);
    if (id === undefined) return undefined;
    try {
      this.transmit(encodeCall(method, params, id), id);
      return id;
    } catch (error) {
      this.pending.take(id)?.settle(error as Error);
      return undefined;
    }
  }

  /** Registers a request before its frame is written; undefined when it was settled at once. */
  register(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions | undefined,
    resolve: (result: unknown) => void,
    reject: (error: Error) => void,
  ): number | undefined {
    const signal = options?.signal;
    const timeoutMs =
      options?.timeout === undefined
        ? this.options.timeoutMs
        : timeoutOption('timeout', options.timeout, 0);
    if (this.closeError) return void reject(this.closeError);
    if (signal?.aborted) return void reject(new RequestCancelledError());
    if (this.pending.size >= this.options.maxPendingRequests) {
      return void reject(new TooManyPendingRequestsError(this.options.maxPendingRequests));
    }
    if (!this.online) {
      const refusal = this.refusal();
      if (refusal) return void reject(refusal);
    }
    const entry = new PendingRequest(this.nextId++, resolve, reject);
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

  /** Writes the frame of registered requests (or of a batch), or parks it while offline. */
  transmit(text: string, ids: number | readonly number[]): void {
    if (this.online) this.writer[WRITE](text);
    // The id list is made only for a frame that waits: not on every request's path.
    else this.park({ text, ids: typeof ids === 'number' ? [ids] : ids });
  }

  /** Writes a notification, or parks it while offline; resolves once written. */
  notify(text: string): Promise<void> {
    if (this.closeError) return Promise.reject(this.closeError);
    if (this.online) {
      this.writer[WRITE](text);
      return Promise.resolve();
    }
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    return new Promise((resolve, reject) => {
      this.park({ text, ids: [], settle: (error) => (error ? reject(error) : resolve()) });
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
   * {@link LATE_ANSWERS_KEPT} requests given up on while the link lasts).
   */
  forsake(id: number, late: (result: unknown) => void): void {
    if (this.withdraw(id) || !this.pending.take(id)) return;
    this.sendCancel(id);
    const table = (this.late ??= new Map());
    table.set(id, late);
    if (table.size > LATE_ANSWERS_KEPT) table.delete(table.keys().next().value);
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
    if (!entry) return this.settleLate(response);
    if ('error' in response) entry.settle(JsonRpcError.from(response.error));
    else entry.settle(undefined, response.result);
  }

  /** The link dropped: what was sent on it rejects, and is never re-sent. */
  linkLost(error: Error): void {
    this.online = false;
    this.late = undefined;
    for (const entry of this.pending.takeAll()) entry.settle(error);
  }

  /** A link is up: the waiting frames go out, in order, but those whose requests gave up. */
  linkOpen(): void {
    this.online = true;
    for (const { text, ids, settle } of this.parked.splice(0)) {
      if (ids.length > 0 && !ids.some((id) => this.pending.has(id))) continue;
      this.writer[WRITE](text);
      settle?.();
    }
  }

  /** The connection closed: everything pending or waiting rejects with `error`. */
  close(error: Error): void {
    this.closeError = error;
    this.late = undefined;
    for (const entry of this.pending.takeAll()) entry.settle(error);
    for (const { settle } of this.parked.splice(0)) settle?.(error);
  }

  private sendCancel(id: number): void {
    const { cancellation } = this.options;
    if (cancellation && cancellation.send && this.online && !this.closeError) {
      this.writer[WRITE](
        encodeCall(cancellation.method, { [cancellation.idField]: id }, undefined),
      );
    }
  }

  /** The answer to a request given up on, if it is still looked for. */
  private settleLate(response: JsonRpcResponse): void {
    const late = typeof response.id === 'number' ? this.late?.get(response.id) : undefined;
    if (!late) return;
    this.late!.delete(response.id as number);
    if ('result' in response) late(response.result);
  }

  private park(frame: Parked): void {
    if (this.parked === NOTHING_PARKED) this.parked = [];
    this.parked.push(frame);
  }

  /** Why a call made while offline cannot wait, if it cannot. */
  private refusal(): Error | undefined {
    if (this.options.whileReconnecting === 'reject') {
      return new ConnectionClosedError('Not connected: the connection is reconnecting');
    }
    const max = this.options.maxWaitingCalls;
    if (this.parked.length < max) return undefined;
    return new ConnectionClosedError(
      `Not connected: ${max} calls already wait for the link (option maxWaitingCalls)`,
    );
  }

  /** Removes a request from the waiting frames; true when it was waiting there. */
  private unpark(id: number): boolean {
    if (this.online) return false;
    const index = this.parked.findIndex((frame) => frame.ids.includes(id));
    if (index === -1) return false;
    const frame = this.parked[index]!;
    frame.ids = frame.ids.filter((other) => other !== id);
    if (frame.ids.length === 0) this.parked.splice(index, 1);
    return true;
  }
}
