/**
 * Decoding: one frame in, the valid messages it holds and the error answers it is owed out.
 * Pure — it never throws, whatever the frame.
 * @module
 */
import type {
  JsonRpcErrorObject,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
} from './messages.js';
import { JsonRpcErrorCode } from './errors.js';

/** Default for `maxBatchSize`: members in one incoming batch (geth's default too). */
export const DEFAULT_MAX_BATCH_SIZE = 1000;

/** What one frame decodes to. */
export interface JsonRpcDecoded {
  /** True when the frame was a non-empty array: answers to it go out as one array. */
  readonly batch: boolean;
  /** The valid requests, notifications and responses, in frame order. */
  readonly messages: JsonRpcMessage[];
  /** Error answers owed for invalid members (or for the whole frame), ready to send. */
  readonly errors: JsonRpcErrorResponse[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and validates one frame per JSON-RPC 2.0. Unparsable JSON gives one -32700 answer;
 * an invalid object one -32600 answer with id `null`; `[]` one -32600 answer; each invalid
 * batch member its own -32600. Anything shaped like a response (no `method`, a `result` or
 * `error` member) is never answered, valid or not: two peers must not ping-pong errors.
 *
 * @param frame - UTF-8 bytes, or text
 * @param maxBatchSize - batch members accepted; past it every request of the batch is
 *   answered -32600 with `data: { maxBatchSize }` and none is run
 */
export function decodeFrame(
  frame: Uint8Array | string,
  maxBatchSize: number = DEFAULT_MAX_BATCH_SIZE,
): JsonRpcDecoded {
  const value = parseFrame(frame);
  if (value === UNPARSABLE) return single(undefined, parseError());
  if (!Array.isArray(value)) {
    const message = toMessage(value);
    return message ? single(message, undefined) : single(undefined, answerToInvalid(value));
  }
  if (value.length === 0) return single(undefined, invalidRequest());
  return decodeBatch(value, maxBatchSize);
}

/** What {@link parseFrame} returns for bytes that are not UTF-8 JSON. */
const UNPARSABLE: unique symbol = Symbol('unparsable');

/** The JSON value of a frame, or {@link UNPARSABLE}. Never throws. */
function parseFrame(frame: Uint8Array | string): unknown {
  try {
    // TextDecoder drops a byte-order mark from bytes; drop one from text alike.
    const text =
      typeof frame === 'string'
        ? frame.charCodeAt(0) === 0xfeff
          ? frame.slice(1)
          : frame
        : utf8.decode(frame);
    return JSON.parse(text);
  } catch {
    return UNPARSABLE;
  }
}

/** The -32700 answer owed for an unparsable frame. */
function parseError(): JsonRpcErrorResponse {
  return errorResponse(null, JsonRpcErrorCode.ParseError, 'Parse error');
}

/** The answer owed for a value that is not a valid message: -32600, or none for a response. */
function answerToInvalid(value: unknown): JsonRpcErrorResponse | undefined {
  return looksLikeResponse(value) ? undefined : invalidRequest();
}

/** Validates every member of a non-empty batch. */
function decodeBatch(members: unknown[], maxBatchSize: number): JsonRpcDecoded {
  const tooLarge = members.length > maxBatchSize;
  const messages: JsonRpcMessage[] = [];
  const errors: JsonRpcErrorResponse[] = [];
  for (const member of members) {
    const message = toMessage(member);
    if (!message) {
      if (!looksLikeResponse(member)) errors.push(invalidRequest());
    } else if (!tooLarge || !('method' in message)) {
      messages.push(message);
    } else if (message.id !== undefined) {
      errors.push(
        errorResponse(message.id, JsonRpcErrorCode.InvalidRequest, 'Batch too large', {
          maxBatchSize,
        }),
      );
    }
  }
  return { batch: true, messages, errors };
}

function single(
  message: JsonRpcMessage | undefined,
  error: JsonRpcErrorResponse | undefined,
): JsonRpcDecoded {
  return { batch: false, messages: message ? [message] : [], errors: error ? [error] : [] };
}

function invalidRequest(): JsonRpcErrorResponse {
  return errorResponse(null, JsonRpcErrorCode.InvalidRequest, 'Invalid Request');
}

function errorResponse(
  id: JsonRpcId,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcErrorResponse {
  const error: JsonRpcErrorObject =
    data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', error, id };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    value === null
  );
}

function looksLikeResponse(value: unknown): boolean {
  return isObject(value) && !('method' in value) && ('result' in value || 'error' in value);
}

function isErrorObject(value: unknown): value is JsonRpcErrorObject {
  return isObject(value) && Number.isInteger(value.code) && typeof value.message === 'string';
}

/** The message `value` is, when it is a valid JSON-RPC 2.0 message; otherwise undefined. */
function toMessage(value: unknown): JsonRpcMessage | undefined {
  if (!isObject(value) || value.jsonrpc !== '2.0') return undefined;
  if ('method' in value) {
    if (typeof value.method !== 'string') return undefined;
    if ('params' in value && (typeof value.params !== 'object' || value.params === null)) {
      return undefined;
    }
    if ('id' in value && !isId(value.id)) return undefined;
    return value as unknown as JsonRpcMessage;
  }
  if (!('id' in value) || !isId(value.id)) return undefined;
  const hasResult = 'result' in value;
  if (hasResult === 'error' in value) return undefined;
  if (!hasResult && !isErrorObject(value.error)) return undefined;
  return value as unknown as JsonRpcMessage;
}
