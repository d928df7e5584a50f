/**
 * Encoding: messages to JSON text and to UTF-8 frames. Pure. Each encoder throws a TypeError
 * (with the JSON error as `cause`) when a value cannot be carried by JSON — a BigInt, a
 * cycle — so the caller can answer -32603 instead.
 * @module
 */
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcParams } from './messages.js';

const utf8 = new TextEncoder();

/** UTF-8 bytes of a JSON text, ready for a transport. */
export function toFrame(text: string): Uint8Array {
  return utf8.encode(text);
}

/** One JSON array holding already-encoded messages: an outgoing batch. */
export function joinBatch(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

/** A request, or a notification when `id` is undefined. */
export function encodeCall(
  method: string,
  params: JsonRpcParams | undefined,
  id: JsonRpcId | undefined,
): string {
  const head = id === undefined ? '{"jsonrpc":"2.0"' : `{"jsonrpc":"2.0","id":${idText(id)}`;
  const tail = params === undefined ? '}' : `,"params":${json(params) ?? 'null'}}`;
  return `${head},"method":${JSON.stringify(method)}${tail}`;
}

/** A success response; an `undefined` result (or one JSON drops) is sent as `null`. */
export function encodeResult(id: JsonRpcId, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${idText(id)},"result":${json(result) ?? 'null'}}`;
}

/** An error response. */
export function encodeError(id: JsonRpcId, error: JsonRpcErrorObject): string {
  const data = error.data === undefined ? '' : `,"data":${json(error.data) ?? 'null'}`;
  return `{"jsonrpc":"2.0","id":${idText(id)},"error":{"code":${error.code},"message":${JSON.stringify(error.message)}${data}}}`;
}

function json(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw new TypeError('Value cannot be encoded as JSON', { cause });
  }
}

function idText(id: JsonRpcId): string {
  if (typeof id !== 'number') return JSON.stringify(id);
  // String(-0) is "0": an id -0 (valid JSON) is answered as itself, like any other id.
  return id === 0 && 1 / id < 0 ? '-0' : String(id);
}
