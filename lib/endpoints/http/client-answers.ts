/**
 * Reading an HTTP answer beyond what the connection reads: the responses a POST may settle
 * (its own calls'), and the error each call an answer left pending rejects with.
 * @module
 */
import { JsonRpcError } from '../../protocol/errors.js';
import type { JsonRpcErrorObject } from '../../protocol/messages.js';
import { JsonRpcHttpError } from './errors.js';

/** A JSON-RPC error rebuilt from an HTTP answer, with the answer's status. */
export type JsonRpcErrorWithStatus = JsonRpcError & { readonly status: number };

/**
 * The error answers a non-2xx body holds, by id; one with id `null` (about the whole POST,
 * such as a -32700) under `null`. Empty for a body that is not JSON-RPC.
 */
export function errorAnswers(body: string): Map<number | null, JsonRpcErrorObject> {
  const found = new Map<number | null, JsonRpcErrorObject>();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return found;
  }
  for (const member of Array.isArray(value) ? value : [value]) {
    if (!isObject(member) || !isErrorObject(member.error)) continue;
    const { id } = member;
    if (typeof id === 'number' || id === null) found.set(id, member.error);
  }
  return found;
}

/**
 * The body with only the responses to `ids` in it: an answer settles calls of its own POST
 * alone, whatever ids a buggy or hostile server writes (it could name a call of another POST
 * still in flight, or one not sent yet). The body itself when nothing had to go, or it is not
 * JSON (the connection tells it is not JSON-RPC); undefined when nothing is left of it.
 */
export function ownAnswers(body: string, ids: readonly number[]): string | undefined {
  let value: unknown;
  try {
    // Read as the connection reads it (one byte-order mark dropped), or a body it can read
    // would pass unfiltered.
    value = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch {
    return body;
  }
  const own = new Set(ids);
  const members: unknown[] = Array.isArray(value) ? value : [value];
  const kept = members.filter(
    (member) => !isObject(member) || typeof member.id !== 'number' || own.has(member.id),
  );
  if (kept.length === members.length) return body;
  if (kept.length === 0) return undefined;
  try {
    return JSON.stringify(kept);
  } catch {
    return undefined; // nested past what JSON.stringify can walk: no call of its is settled
  }
}

/** The error a call rejects with when its POST was answered `status` (not 2xx). */
export function statusError(
  url: string,
  status: number,
  body: string,
  answer: JsonRpcErrorObject | undefined,
): Error {
  if (answer) {
    const error = JsonRpcError.from(answer);
    return Object.assign(error, { status }) satisfies JsonRpcErrorWithStatus;
  }
  // A browser shows a redirect not followed as status 0 (an opaque redirect).
  const redirect = status === 0 || (status >= 300 && status < 400);
  const why = redirect ? ': a redirect, not followed (a POST must go to the endpoint itself)' : '';
  return new JsonRpcHttpError(`HTTP ${status} from ${url}${why}`, { status, cause: body });
}

/**
 * The error a call rejects with when a 2xx answer did not settle it: the body was empty, was
 * not JSON-RPC (`rejected`: the connection could not read it), or had no response for it.
 */
export function missingAnswerError(
  id: number,
  status: number,
  body: string,
  rejected: boolean,
): JsonRpcHttpError {
  const what =
    body.length === 0
      ? `The answer (HTTP ${status}) was empty: no response for request ${id}`
      : rejected
        ? `The answer (HTTP ${status}) was not JSON-RPC: no response for request ${id}`
        : `The answer (HTTP ${status}) had no response for request ${id}`;
  return new JsonRpcHttpError(what, { status, cause: body });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorObject(value: unknown): value is JsonRpcErrorObject {
  return isObject(value) && Number.isInteger(value.code) && typeof value.message === 'string';
}
