/**
 * A method table: what `serve()` takes, each entry a handler or a `stream()`.
 * @module
 */
import type {
  JsonRpcAnyMethods,
  JsonRpcParamsOf,
  JsonRpcResultOf,
} from '../protocol/method-map.js';
import type { JsonRpcHandler } from './handler.js';
import type { JsonRpcStream } from './stream.js';

/**
 * A method table for `serve()`, typed by a method map: each entry a handler, or a stream made
 * by `stream()` (answering `name_subscribe` and `name_unsubscribe`).
 */
export type JsonRpcHandlers<Methods = JsonRpcAnyMethods, Connection = unknown> = {
  [M in keyof Methods]?:
    | JsonRpcHandler<JsonRpcParamsOf<Methods[M]>, JsonRpcResultOf<Methods[M]>, Connection>
    | JsonRpcStream<JsonRpcParamsOf<Methods[M]>, unknown, Connection>;
};
