/**
 * The builder handed to `connection.batch()`: calls made on it go out as one batch frame.
 * @module
 */
import { encodeCall } from '../protocol/encode.js';
import type { JsonRpcParams } from '../protocol/messages.js';
import type {
  JsonRpcAnyMethods,
  JsonRpcCallArgs,
  JsonRpcMethodName,
  JsonRpcResultOf,
} from '../protocol/method-map.js';
import { PendingRequest } from './pending.js';

/** Per-call options inside a batch: as `request()`'s. */
export interface BatchCallOptions {
  signal?: AbortSignal;
  timeout?: number;
}

/** What a batch builder needs of the connection's outgoing calls. */
export interface BatchPort {
  /** Registers a request of the batch, not sent until the batch is: its id, or undefined when settled at once. */
  draft(
    method: string,
    options: BatchCallOptions | undefined,
    entry: PendingRequest,
  ): number | undefined;
}

/** The calls of one batch, in order: each one's text, and its id (undefined for a notification). */
export interface BatchMembers {
  readonly texts: string[];
  readonly ids: (number | undefined)[];
  /** The requests' promises. */
  readonly promises: Promise<unknown>[];
}

/** Collects the calls of one outgoing batch. Usable only inside the `batch()` callback. */
export class BatchBuilder<Remote extends object = JsonRpcAnyMethods> {
  private texts: string[] | undefined = [];
  private readonly ids: (number | undefined)[] = [];
  private readonly promises: Promise<unknown>[] = [];

  /** @internal */
  constructor(private readonly port: BatchPort) {}

  /** Adds a request; its promise settles like `request()`'s. */
  request<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], BatchCallOptions>
  ): Promise<JsonRpcResultOf<Remote[M]>> {
    const [params, options] = args as [JsonRpcParams | undefined, BatchCallOptions | undefined];
    const texts = this.open(method, params);
    const promise = new Promise<JsonRpcResultOf<Remote[M]>>((resolve, reject) => {
      const entry = new PendingRequest(resolve as (result: unknown) => void, reject);
      const id = this.port.draft(method, options, entry);
      if (id === undefined) return;
      texts.push(encodeCall(method, params, id));
      this.ids.push(id);
    });
    this.promises.push(promise);
    return promise;
  }

  /** Adds a notification. */
  notify<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], never>
  ): void {
    const [params] = args as [JsonRpcParams | undefined];
    this.open(method, params).push(encodeCall(method, params, undefined));
    this.ids.push(undefined);
  }

  /** @internal Ends the batch: its calls, in order. */
  seal(): BatchMembers {
    const texts = this.texts ?? [];
    this.texts = undefined;
    return { texts, ids: this.ids, promises: this.promises };
  }

  private open(method: unknown, params: unknown): string[] {
    if (!this.texts)
      throw new Error('This batch was already sent: call the builder inside batch()');
    checkCall(method, params);
    return this.texts;
  }
}

/**
 * Programmer mistakes in a call, thrown at once.
 * @throws TypeError for a method that is not a string, or params neither array nor object
 */
export function checkCall(method: unknown, params: unknown): void {
  if (typeof method !== 'string') {
    throw new TypeError(`The method must be a string, got ${typeof method}`);
  }
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    const kind = params === null ? 'null' : typeof params;
    throw new TypeError(`Params must be an array or an object, got ${kind}`);
  }
}
