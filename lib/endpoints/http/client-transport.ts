/**
 * The transport of `connectHttp()`: calls written by the connection are gathered into POSTs,
 * and each POST's answer body is handed back as one frame.
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import type { JsonRpcConnection } from '../../connection/connection.js';
import { failRequest } from '../../connection/endpoint-hook.js';
import type { Transport } from '../../transports/transport.js';
import { errorAnswers, missingAnswerError, ownAnswers, statusError } from './client-answers.js';
import { callId, cancelledId, isCancel, isErrorOfFrame, splitBatch } from './frames.js';
import {
  mergeHeaders,
  type HttpFetchInit,
  type ResolvedConnectHttpOptions,
} from './client-options.js';
import { AnswerTooLarge, answerText, fetchResponse } from './client-body.js';
import { HttpPost } from './client-post.js';
import { BatchWindow } from './client-window.js';
import { JsonRpcHttpError } from './errors.js';

const utf8 = new TextDecoder();

/** Frames out as POSTs; each POST's answer body in, as one frame. */
export class HttpClientTransport extends Observable<string> implements Transport {
  readonly textFrames = true;
  private connection: JsonRpcConnection<object, object> | undefined = undefined;
  private subscriber: Subscriber<string> | undefined = undefined;
  /** The calls of the next POST: each one's text, and its id (-1 for a notification). */
  private texts: string[] = [];
  private ids: number[] = [];
  /** The batch window; undefined with `batch: false`. */
  private readonly window: BatchWindow | undefined;
  private readonly posts = new Set<HttpPost>();
  private closed = false;
  /** Set while a body is handed to the connection: whether it could not read it. */
  private delivering = false;
  private bodyRejected = false;
  constructor(private readonly options: ResolvedConnectHttpOptions) {
    super((subscriber) => {
      if (this.subscriber) {
        subscriber.error(new Error('An HTTP transport accepts one subscriber at a time'));
        return;
      }
      this.subscriber = subscriber;
      return () => {
        if (this.subscriber === subscriber) this.subscriber = undefined;
      };
    });
    const { batch } = options;
    this.window = batch ? new BatchWindow(batch.waitMs, () => this.flush()) : undefined;
  }

  /** The connection over this transport, whose requests an answer that failed rejects. */
  attach(connection: JsonRpcConnection<object, object>): void {
    this.connection = connection;
  }

  next(frame: Uint8Array | string): void {
    if (this.closed) return;
    const text = typeof frame === 'string' ? frame : utf8.decode(frame);
    if (text.charCodeAt(0) === 0x5b) return this.enqueueBatch(text);
    if (isCancel(text)) return this.cancel(cancelledId(text));
    const id = callId(text);
    if (id === undefined) return this.drop(text);
    const { batch } = this.options;
    if (!batch) return this.send([text], [id]);
    this.texts.push(text);
    this.ids.push(id);
    if (this.texts.length >= batch.maxSize) this.flush();
    else this.window!.open();
  }

  /** The connection closed: nothing more is sent, and every fetch in flight is aborted. */
  complete(): void {
    if (this.closed) return;
    this.closed = true;
    this.window?.cancel();
    this.texts = [];
    this.ids = [];
    for (const post of this.posts) post.abort();
    this.posts.clear();
    this.subscriber?.complete();
  }

  error(): void {
    this.complete();
  }

  /** A frame of `connection.batch()`: its calls join the next POST whole, or go alone. */
  private enqueueBatch(text: string): void {
    const texts: string[] = [];
    const ids: number[] = [];
    for (const member of splitBatch(text)) {
      const id = isCancel(member) ? undefined : callId(member);
      if (id === undefined) this.drop(member);
      else {
        texts.push(member);
        ids.push(id);
      }
    }
    if (texts.length === 0) return;
    const { batch } = this.options;
    if (!batch || this.texts.length + texts.length > batch.maxSize) return this.send(texts, ids);
    this.texts.push(...texts);
    this.ids.push(...ids);
    if (this.texts.length >= batch.maxSize) this.flush();
    else this.window!.open();
  }

  /** A frame HTTP cannot carry back; it tells whether the body being delivered was readable. */
  private drop(text: string): void {
    if (this.delivering && isErrorOfFrame(text)) this.bodyRejected = true;
  }

  /** A request was cancelled: left out of the next POST, or its POST's fetch aborted. */
  private cancel(id: number): void {
    const index = this.ids.lastIndexOf(id);
    if (index !== -1) {
      this.ids.splice(index, 1);
      this.texts.splice(index, 1);
      return;
    }
    for (const post of this.posts) if (post.cancel(id)) return;
  }

  /** Sends the calls gathered so far as one POST. */
  private flush(): void {
    this.window?.cancel();
    const { texts, ids } = this;
    if (texts.length === 0) return;
    this.texts = [];
    this.ids = [];
    this.send(texts, ids);
  }

  /** A lone call goes as its object, several as one JSON array. */
  private send(texts: string[], ids: number[]): void {
    const post = new HttpPost(ids, texts);
    this.posts.add(post);
    void this.exchange(post);
  }

  /** One POST and its answer. Never rejects: every failure rejects the POST's calls. */
  private async exchange(post: HttpPost): Promise<void> {
    const { headers, fetch, url } = this.options;
    let made: Record<string, string>;
    try {
      // Static headers are not awaited: a POST costs no extra turn of the microtask queue.
      made = typeof headers === 'function' ? mergeHeaders(await post.until(headers())) : headers;
    } catch (cause) {
      const error = (): Error =>
        new JsonRpcHttpError('The "headers" option failed: nothing was sent', { cause });
      return this.fail(post, error);
    }
    // Closed, or every request cancelled, while a headers function ran: nothing to send.
    if (post.aborted) return void this.posts.delete(post);
    // Made now: a request cancelled while a headers function ran is left out.
    const init: HttpFetchInit = {
      method: 'POST',
      headers: made,
      body: post.body(),
      redirect: 'manual',
      signal: post.controller.signal,
    };
    let status: number;
    let text: string | AnswerTooLarge;
    try {
      const response = fetchResponse(await post.until(fetch(url, init)));
      status = response.status;
      text = await post.until(answerText(response, this.options.maxResponseBytes));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const error = (): Error =>
        new JsonRpcHttpError(`No answer from ${url}: ${reason}`, { cause });
      return this.fail(post, error);
    }
    if (text instanceof AnswerTooLarge) {
      const tooLarge = text;
      return this.fail(post, () => tooLarge.error(url, this.options.maxResponseBytes));
    }
    this.posts.delete(post);
    if (this.closed || post.aborted) return;
    if (status >= 200 && status < 300) this.settle(post, status, text);
    else this.reject(post, status, text);
  }

  /**
   * A 2xx answer: the body goes to the connection, with only the answers of this POST's
   * requests in it; requests it did not settle reject.
   */
  private settle(post: HttpPost, status: number, text: string): void {
    const connection = this.connection!;
    this.bodyRejected = false;
    // Read again only when the body could settle another POST's request (the one-POST case
    // costs nothing): some request pending on the connection is not one of this POST.
    const own = connection.pendingCount > post.liveCount ? ownAnswers(text, post.requests()) : text;
    if (own !== undefined && own.length > 0 && this.subscriber) {
      this.delivering = true;
      try {
        this.subscriber.next(own);
      } finally {
        this.delivering = false;
      }
    }
    // Nothing pending on the whole connection: every request of this POST was answered.
    if (!post.awaited || connection.pendingCount === 0) return;
    const rejected = this.bodyRejected;
    // An error answer of id null is about the whole POST (a -32700, a -32600 for the batch):
    // the calls it left unanswered reject with it.
    const whole = errorAnswers(text).get(null);
    for (const id of post.requests()) {
      failRequest(connection, id, () =>
        whole
          ? statusError(this.options.url, status, text, whole)
          : missingAnswerError(id, status, text, rejected),
      );
    }
  }

  /** A non-2xx answer: each request rejects with its error answer, else with the status. */
  private reject(post: HttpPost, status: number, text: string): void {
    const answers = errorAnswers(text);
    for (const id of post.requests()) {
      const answer = answers.get(id) ?? answers.get(null);
      failRequest(this.connection!, id, () => statusError(this.options.url, status, text, answer));
    }
  }

  /**
   * The POST failed before an answer came: its requests reject, on a later turn — a headers
   * function or a fetch may throw at once, inside the connection's write.
   */
  private async fail(post: HttpPost, error: () => Error): Promise<void> {
    this.posts.delete(post);
    await Promise.resolve();
    if (this.closed || post.aborted) return;
    for (const id of post.requests()) failRequest(this.connection!, id, error);
  }
}
