/**
 * The frames a connection writes to an HTTP transport, told apart without parsing: calls —
 * requests and notifications, which a client POSTs and a server cannot send — the client's
 * private cancel notification (never sent), and answers: a server's response body, or on the
 * client what HTTP has no way to carry back (answers to calls a server put in a body, error
 * answers to a body that was not JSON-RPC).
 * @module
 */
import type { CancellationOptions } from '../../connection/options.js';

/** The method of the cancel notifications the connection writes to the transport; never POSTed. */
const CANCEL_METHOD = 'rxjs-jsonrpc/http-cancel';

/** The connection's `cancellation` over HTTP: the transport learns of every cancel this way. */
export const HTTP_CANCELLATION: Required<CancellationOptions> = {
  method: CANCEL_METHOD,
  idField: 'id',
  send: true,
  answer: false,
};

/** What `callId()` returns for a notification. */
export const NOTIFICATION = -1;

// The heads of what encodeCall() writes; JSON strings escape quotes, so a prefix is exact.
const REQUEST_HEAD = '{"jsonrpc":"2.0","id":';
const NOTIFICATION_HEAD = '{"jsonrpc":"2.0","method":';
const CANCEL_HEAD = `{"jsonrpc":"2.0","method":${JSON.stringify(CANCEL_METHOD)},"params":{"id":`;
const ERROR_OF_FRAME_HEAD = '{"jsonrpc":"2.0","id":null,"error":';

/** True for the cancel notification of one of our requests. */
export function isCancel(text: string): boolean {
  return text.startsWith(CANCEL_HEAD);
}

/** The id a cancel notification names. */
export function cancelledId(text: string): number {
  return digitsAt(text, CANCEL_HEAD.length).value;
}

/**
 * The id of a request of ours, {@link NOTIFICATION} for a notification, undefined for a frame
 * that is no call (a response). Check {@link isCancel} first.
 */
export function callId(text: string, from = 0): number | undefined {
  if (text.startsWith(NOTIFICATION_HEAD, from)) return NOTIFICATION;
  if (!text.startsWith(REQUEST_HEAD, from)) return undefined;
  const start = from + REQUEST_HEAD.length;
  const { value, end } = digitsAt(text, start);
  // Our ids are positive integers; a response to a server's request has another id, or `result`.
  return end > start && text.startsWith(',"method":', end) ? value : undefined;
}

/** True when a frame is a call of this side's, or a batch of them (its first member one). */
export function isCallFrame(text: string): boolean {
  return callId(text, text.charCodeAt(0) === 0x5b ? 1 : 0) !== undefined;
}

/** True for the error answer a connection gives a frame it could not read as JSON-RPC. */
export function isErrorOfFrame(text: string): boolean {
  return text.startsWith(ERROR_OF_FRAME_HEAD);
}

/**
 * The members of a batch frame as the connection wrote it (`[a,b,…]`, no whitespace): each
 * member's own text, cut at the commas outside strings, objects and arrays.
 */
export function splitBatch(text: string): string[] {
  const members: string[] = [];
  const last = text.length - 1;
  let start = 1;
  let depth = 0;
  let inString = false;
  for (let index = 1; index < last; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) depth--;
    else if (code === 0x2c && depth === 0) {
      members.push(text.slice(start, index));
      start = index + 1;
    }
  }
  if (last > start) members.push(text.slice(start, last));
  return members;
}

/** The decimal digits of `text` from `start`: their value, and where they end. */
function digitsAt(text: string, start: number): { value: number; end: number } {
  let value = 0;
  let end = start;
  for (
    let code = text.charCodeAt(end);
    code >= 0x30 && code <= 0x39;
    code = text.charCodeAt(++end)
  ) {
    value = value * 10 + code - 0x30;
  }
  return { value, end };
}
