/**
 * rxjs-jsonrpc: JSON-RPC 2.0 on RxJS. This entry runs anywhere (browsers, Node, workers).
 * @module
 */
export { JsonRpcConnection } from './connection/connection.js';
export type {
  JsonRpcCloseEvent,
  JsonRpcConnectionState,
  RequestOptions,
} from './connection/connection.js';
export { BatchBuilder } from './connection/batch.js';
export type { BatchCallOptions } from './connection/batch.js';
export {
  DEFAULT_CANCEL_METHOD,
  DEFAULT_MAX_EARLY_NOTIFICATIONS,
  DEFAULT_MAX_INCOMING_REQUESTS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MAX_WAITING_CALLS,
  JsonRpcConnectionType,
} from './connection/options.js';
export type { CancellationOptions, JsonRpcConnectionOptions } from './connection/options.js';
export { DEFAULT_MAX_QUEUED_NOTIFICATIONS } from './dispatch/options.js';
export { connectHttp } from './endpoints/http/client.js';
export {
  DEFAULT_HTTP_BATCH_SIZE,
  DEFAULT_MAX_RESPONSE_BYTES,
} from './endpoints/http/client-options.js';
export type {
  ConnectHttpOptions,
  HttpBatchOptions,
  HttpFetch,
  HttpFetchInit,
  HttpFetchResponse,
  HttpHeaders,
} from './endpoints/http/client-options.js';
export { JsonRpcHttpError } from './endpoints/http/errors.js';
export type { JsonRpcHttpErrorOptions } from './endpoints/http/errors.js';
export type { ServeOptions } from './dispatch/options.js';
export type {
  JsonRpcHandler,
  JsonRpcHandlerContext,
  JsonRpcMiddleware,
} from './methods/handler.js';
export type { JsonRpcHandlers } from './methods/table.js';
export { DEFAULT_MAX_BATCH_SIZE, decodeFrame } from './protocol/decode.js';
export type { JsonRpcDecoded } from './protocol/decode.js';
export { encodeCall, encodeError, encodeResult, joinBatch, toFrame } from './protocol/encode.js';
export {
  ConnectionClosedError,
  InternalError,
  InvalidParamsError,
  InvalidRequestError,
  JsonRpcError,
  JsonRpcErrorCode,
  MethodNotFoundError,
  ParseError,
  RequestCancelledError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
} from './protocol/errors.js';
export {
  isJsonRpcCall,
  isJsonRpcNotification,
  isJsonRpcRequest,
  isJsonRpcResponse,
} from './protocol/messages.js';
export type {
  JsonRpcCall,
  JsonRpcErrorObject,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccessResponse,
} from './protocol/messages.js';
export type {
  JsonRpcAnyMethods,
  JsonRpcCallArgs,
  JsonRpcMethodName,
  JsonRpcParamsOf,
  JsonRpcResultOf,
} from './protocol/method-map.js';
export { DEFAULT_RECONNECT, FINAL_CLOSE_CODES } from './reconnect/policy.js';
export type { ReconnectOptions } from './reconnect/policy.js';
export { ReconnectingTransport } from './reconnect/transport.js';
export type { LinkEnd, ReconnectingTransportOptions } from './reconnect/transport.js';
export {
  DEFAULT_MAX_QUEUE,
  DEFAULT_MAX_SUBSCRIPTIONS,
  JsonRpcStreamErrorCode,
} from './streams/options.js';
export type {
  ObserveOptions,
  StreamMethodNames,
  StreamOptions,
  StreamOverflow,
} from './streams/options.js';
export { JsonRpcStream, stream } from './methods/stream.js';
export { JsonRpcStreamEvent, streamEvent } from './streams/event.js';
export type { StreamEventOptions } from './streams/event.js';
export type { JsonRpcStreamContext, JsonRpcStreamFactory } from './methods/stream.js';
export { createMemoryTransportPair } from './transports/memory.js';
export type { Transport, TransportLinkState } from './transports/transport.js';
