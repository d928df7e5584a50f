/**
 * One POST in flight: its calls' ids, and the controller that aborts its fetch once every
 * request in it is cancelled, or the connection closes.
 * @module
 */
import { joinBatch } from '../../protocol/encode.js';
import { NOTIFICATION } from './frames.js';

/** What marks a request of a POST that was cancelled. */
const CANCELLED = -2;

/**
 * What {@link HttpPost.until} rejects with once its POST is aborted: made once, since a fresh
 * error's stack would hold the POST for as long as work that never settles is held.
 */
const ABORTED = new Error('The POST was aborted');

/** A POST in flight. */
export class HttpPost {
  readonly controller = new AbortController();
  /** Requests of the POST not cancelled. */
  private live = 0;
  /** Rejects once the POST is aborted; made by the first {@link until}. */
  private ended: Promise<never> | undefined = undefined;
  private end: ((reason: unknown) => void) | undefined = undefined;

  /** Each call's text, until the body is made; whether a request was cancelled before. */
  private texts: string[] | undefined;
  private trimmed = false;

  /**
   * @param ids - each call's id, in body order ({@link NOTIFICATION} for a notification)
   * @param texts - each call's text, in the same order
   */
  constructor(
    readonly ids: number[],
    texts: string[],
  ) {
    for (const id of ids) if (id !== NOTIFICATION) this.live++;
    this.texts = texts;
  }

  /**
   * The body, once: the calls not cancelled (a request cancelled while a headers function
   * ran is left out), a lone one as its object, several as a JSON array; the texts are let go.
   */
  body(): string {
    const all = this.texts ?? [];
    this.texts = undefined;
    const texts = this.trimmed ? all.filter((_, index) => this.ids[index] !== CANCELLED) : all;
    return texts.length === 1 ? texts[0]! : joinBatch(texts);
  }

  /** True once its fetch was aborted. */
  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** True while some request of it is not cancelled. */
  get awaited(): boolean {
    return this.live > 0;
  }

  /** How many requests of it are not cancelled. */
  get liveCount(): number {
    return this.live;
  }

  /**
   * A request was cancelled: false when it is not in this POST; the fetch is aborted when no
   * request of it is left.
   */
  cancel(id: number): boolean {
    const index = this.ids.indexOf(id);
    if (index === -1) return false;
    this.ids[index] = CANCELLED;
    this.trimmed = true;
    if (--this.live === 0) this.abort();
    return true;
  }

  /** Aborts the fetch, and every {@link until} still waiting. */
  abort(): void {
    this.controller.abort();
    this.end?.(ABORTED);
  }

  /**
   * What `work` (user code: a headers function, a fetch, a body) settles to, or a rejection
   * once the POST is aborted: work that never settles, or ignores the signal, cannot hold the
   * POST past its end.
   */
  until<T>(work: T | PromiseLike<T>): Promise<T> {
    if (this.aborted) return Promise.reject(ABORTED);
    if (!this.ended) {
      this.ended = new Promise<never>((_, reject) => (this.end = reject));
      this.ended.catch(() => undefined);
    }
    return Promise.race([work, this.ended]);
  }

  /** The requests not cancelled. */
  requests(): number[] {
    return this.ids.filter((id) => id > 0);
  }
}
