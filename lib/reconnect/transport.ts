/**
 * A transport that outlives its links: when one is lost it opens another, with backoff, and
 * tells its connection through `link$`.
 * @module
 */
import { BehaviorSubject, Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import { toFrame } from '../protocol/encode.js';
import type { Transport, TransportLinkState } from '../transports/transport.js';
import {
  backoffDelay,
  resolveReconnect,
  type ReconnectOptions,
  type ResolvedReconnectOptions,
} from './policy.js';

/** How a link ended, or why one could not be opened (then `transport` is undefined). */
export interface LinkEnd {
  /** The link that ended; undefined when opening one failed. */
  readonly transport?: Transport;
  /** The error the link or the opening failed with; undefined for a clean close. */
  readonly error?: unknown;
}

/** Options of {@link ReconnectingTransport}. */
export interface ReconnectingTransportOptions extends ReconnectOptions {
  /** True when a link's end (or a failed opening) must not be retried. @default never */
  isFinal?: (end: LinkEnd) => boolean;
  /**
   * A link already open, used first; it is subscribed to when this transport is (frames it
   * receives before then wait in it). @default none: the first link is opened on subscribe
   */
  initial?: Transport;
}

/**
 * A {@link Transport} over a succession of links, each opened by `open`. Frames flow from the
 * current link; a lost link is `'reconnecting'` on `link$` and another is opened after a
 * backoff, until `attempts` fail in a row or an end is final (then the frames complete, or
 * error with the last error). `complete()` closes it for good.
 *
 * @example
 * const transport = new ReconnectingTransport((signal) => openMyTransport(signal), { attempts: 5 });
 * const connection = new JsonRpcConnection(transport); // state$: 'connecting', 'open', …
 */
export class ReconnectingTransport extends Observable<Uint8Array | string> implements Transport {
  /** Takes text frames, encoding them for a link that does not. */
  readonly textFrames = true;
  private readonly link = new BehaviorSubject<TransportLinkState>('connecting');
  /** The link's state, the current one first; completes on the final close. */
  readonly link$ = this.link.asObservable();
  private readonly policy: ResolvedReconnectOptions;
  private readonly isFinal: (end: LinkEnd) => boolean;
  private subscriber: Subscriber<Uint8Array | string> | undefined = undefined;
  private current: Transport | undefined = undefined;
  private currentLink: Unsubscribable | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private opening: AbortController | undefined = undefined;
  private failures = 0;
  private ended = false;

  /**
   * @param open - opens one link; rejects when it cannot (aborting its signal gives up)
   * @throws TypeError or RangeError for an invalid option
   */
  constructor(
    private readonly open: (signal: AbortSignal) => Promise<Transport>,
    options: ReconnectingTransportOptions = {},
  ) {
    super((subscriber) => this.attach(subscriber));
    this.policy = resolveReconnect(options)!;
    this.isFinal = options.isFinal ?? (() => false);
    if (options.initial) {
      // Listened to on subscribe: frames taken from it now would have nowhere to go.
      this.current = options.initial;
      this.link.next('open');
    }
  }

  /** True while the current link's frames wait. */
  get congested(): boolean {
    return this.current?.congested === true;
  }

  /** The current link's drains. */
  readonly drain$ = new Observable<void>((subscriber) => {
    const drains = this.current?.drain$?.subscribe({ next: () => subscriber.next() });
    return () => drains?.unsubscribe();
  });

  /** Sends on the current link; nothing while there is none. */
  next(frame: Uint8Array | string): void {
    const { current } = this;
    if (!current) return;
    current.next(typeof frame === 'string' && !current.textFrames ? toFrame(frame) : frame);
  }

  /** Closes for good: no more reconnects; the current link completes. */
  complete(): void {
    this.finish(undefined, (link) => link.complete());
  }

  /** Closes for good, abruptly. */
  error(error: unknown): void {
    this.finish(undefined, (link) => link.error(error));
  }

  private attach(subscriber: Subscriber<Uint8Array | string>): () => void {
    if (this.subscriber) {
      subscriber.error(new Error('A reconnecting transport accepts one subscriber at a time'));
      return () => undefined;
    }
    this.subscriber = subscriber;
    if (this.ended) subscriber.complete();
    else if (this.current && !this.currentLink) this.listenTo(this.current);
    else if (!this.current && !this.timer && !this.opening) this.attempt();
    return () => {
      if (this.subscriber === subscriber) this.subscriber = undefined;
    };
  }

  /** Makes `transport` the current link. */
  private use(transport: Transport): void {
    this.current = transport;
    this.failures = 0;
    this.listenTo(transport);
    if (this.current === transport) this.link.next('open');
  }

  /** Passes the link's frames on; its end is a lost link. */
  private listenTo(transport: Transport): void {
    this.currentLink = transport.subscribe({
      next: (frame) => this.subscriber?.next(frame),
      error: (error: unknown) => this.lost(transport, error),
      complete: () => this.lost(transport, undefined),
    });
  }

  private lost(transport: Transport, error: unknown): void {
    if (transport !== this.current) return;
    this.current = undefined;
    this.currentLink?.unsubscribe();
    this.currentLink = undefined;
    if (this.ended) return;
    if (this.isFinal({ transport, error })) return this.finish(error);
    this.link.next('reconnecting');
    this.schedule(error);
  }

  /** Waits out the backoff, then tries; gives up after `attempts` failures in a row. */
  private schedule(lastError: unknown): void {
    if (this.failures >= this.policy.attempts) {
      return this.finish(lastError ?? new Error('Gave up reconnecting'));
    }
    const waitMs = backoffDelay(++this.failures, this.policy);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, waitMs);
  }

  private attempt(): void {
    const controller = new AbortController();
    this.opening = controller;
    const failed = (error: unknown): void => {
      if (this.opening === controller) this.opening = undefined;
      if (controller.signal.aborted || this.ended) return;
      if (this.isFinal({ error })) return this.finish(error);
      this.schedule(error);
    };
    let opening: Promise<Transport>;
    try {
      opening = this.open(controller.signal);
    } catch (error) {
      return failed(error);
    }
    Promise.resolve(opening).then((transport) => {
      if (this.opening === controller) this.opening = undefined;
      // What `open` resolved with is checked before use: a failed opening, not a throw later.
      const problem = transportProblem(transport);
      if (problem) return failed(new TypeError(problem));
      if (controller.signal.aborted || this.ended) return transport.complete();
      try {
        this.use(transport);
      } catch (error) {
        // Its subscribe threw: that link is no link.
        this.current = undefined;
        this.currentLink = undefined;
        failed(error);
      }
    }, failed);
  }

  /** The end: no timer, no opening, no link; the frames complete (or error). */
  private finish(error: unknown, close?: (link: Transport) => void): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.opening?.abort();
    this.opening = undefined;
    const link = this.current;
    this.current = undefined;
    this.currentLink?.unsubscribe();
    this.currentLink = undefined;
    if (link) close?.(link);
    this.link.complete();
    if (error === undefined) this.subscriber?.complete();
    else this.subscriber?.error(error);
  }
}

/** Why `value` is not a transport (what `open` must resolve with), if it is not. */
function transportProblem(value: unknown): string | undefined {
  const candidate = value as Partial<Transport> | null | undefined;
  const ok =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.subscribe === 'function' &&
    typeof candidate.next === 'function' &&
    typeof candidate.complete === 'function';
  return ok ? undefined : `open() must resolve with a Transport, got ${String(value)}`;
}
