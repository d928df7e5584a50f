/**
 * The JSON-RPC 2.0 message shapes, exactly as they travel on the wire.
 * @module
 */

/** A request id: a string, a number or `null` (JSON-RPC 2.0 §4). */
export type JsonRpcId = string | number | null;

/** Request parameters: by position (an array) or by name (an object). */
export type JsonRpcParams = readonly unknown[] | { readonly [key: string]: unknown };

/** A call that expects an answer. */
export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: JsonRpcParams;
  readonly id: JsonRpcId;
}

/** A call that never gets an answer: a request without an `id` member. */
export interface JsonRpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: JsonRpcParams;
  readonly id?: undefined;
}

/** The `error` member of an error response. */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** A successful answer. */
export interface JsonRpcSuccessResponse {
  readonly jsonrpc: '2.0';
  readonly result: unknown;
  readonly id: JsonRpcId;
}

/** A failed answer. */
export interface JsonRpcErrorResponse {
  readonly jsonrpc: '2.0';
  readonly error: JsonRpcErrorObject;
  readonly id: JsonRpcId;
}

/** Either kind of answer. */
export type JsonRpcResponse = JsonRpcSuccessResponse | JsonRpcErrorResponse;

/** Anything a peer may send: a request, a notification or a response. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** An incoming call, as `requests$` emits it: a request or a notification. */
export type JsonRpcCall = JsonRpcRequest | JsonRpcNotification;

/** True for a request or a notification (a message with a `method`). */
export function isJsonRpcCall(message: JsonRpcMessage): message is JsonRpcCall {
  return 'method' in message;
}

/** True for a notification: a call without an `id` member. */
export function isJsonRpcNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return 'method' in message && message.id === undefined;
}

/** True for a request: a call that carries an `id` member (`null` included). */
export function isJsonRpcRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return 'method' in message && message.id !== undefined;
}

/** True for a response, successful or not. */
export function isJsonRpcResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !('method' in message);
}
