/**
 * Telling the frames a connection writes apart without parsing them: calls (requests and
 * notifications, alone or in a batch) from answers. The connection's encoder writes
 * `"jsonrpc"` first, then `"id"` (when there is one), then `"method"` for a call and
 * `"result"` or `"error"` for an answer.
 * @module
 */

const CALL = /^\[?\{"jsonrpc":"2\.0",(?:"id":(?:-?[0-9.eE+-]+|"(?:[^"\\]|\\.)*"|null),)?"method"/;

/** True when `text` (a frame written by a connection) is a call or a batch of calls. */
export function isCallText(text: string): boolean {
  return CALL.test(text);
}
