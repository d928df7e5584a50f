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

/** Per-call options inside a batch: as `request()`'s. */
export interface BatchCallOptions {
  signal?: AbortSignal;
  timeout?: number;
}

type Register = (
  method: string,
  params: JsonRpcParams | undefined,
  options: BatchCallOptions | undefined,
  resolve: (result: unknown) => void,
  reject: (error: Error) => void,
) => number | undefined;

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
  constructor(private readonly register: Register) {}

  /** Adds a request; its promise settles like `request()`'s. */
  request<M extends JsonRpcMethodName<Remote>>(
    method: M,
    ...args: JsonRpcCallArgs<Remote[M], BatchCallOptions>
  ): Promise<JsonRpcResultOf<Remote[M]>> {
    const [params, options] = args as [JsonRpcParams | undefined, BatchCallOptions | undefined];
    const texts = this.open(method, params);
    const promise = new Promise<JsonRpcResultOf<Remote[M]>>((resolve, reject) => {
      const id = this.register(
        method,
        params,
        options,
        resolve as (result: unknown) => void,
        reject,
      );
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
