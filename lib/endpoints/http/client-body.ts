/**
 * Reading an answer body of `connectHttp()`, at most `maxResponseBytes` of it.
 * @module
 */
import type { HttpFetchResponse } from './client-options.js';
import { JsonRpcHttpError } from './errors.js';

/** An answer body over `maxResponseBytes`: what every call of its POST rejects with. */
export class AnswerTooLarge {
  constructor(
    readonly status: number,
    readonly bytes: number,
    readonly declared: boolean,
  ) {}

  error(url: string, maxBytes: number): JsonRpcHttpError {
    const size = this.declared ? `${this.bytes} bytes` : `over ${this.bytes - 1} bytes`;
    return new JsonRpcHttpError(
      `The answer (HTTP ${this.status}) from ${url} was too large: ${size}, maxResponseBytes is ${maxBytes}`,
      { status: this.status },
    );
  }
}

const utf8 = new TextDecoder();

/**
 * The response of a fetch, checked: a fetch of the user's may resolve with anything.
 * @throws TypeError for what has no integer `status` or no `text()`
 */
export function fetchResponse(value: unknown): HttpFetchResponse {
  const response = value as Partial<HttpFetchResponse> | null | undefined;
  if (!Number.isInteger(response?.status) || typeof response?.text !== 'function') {
    throw new TypeError(`fetch resolved with ${describe(value)}, not a Response`);
  }
  return response as HttpFetchResponse;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  return `an object without ${Number.isInteger((value as HttpFetchResponse).status) ? 'text()' : 'an integer status'}`;
}

/**
 * The body's text; an {@link AnswerTooLarge} when it passes `maxBytes`. A declared length is
 * checked before reading (the common case: one `text()`); a body without one, or compressed,
 * is read chunk by chunk and cancelled once past the limit.
 */
export async function answerText(
  response: HttpFetchResponse,
  maxBytes: number,
): Promise<string | AnswerTooLarge> {
  const { body, status } = response;
  const length = response.headers?.get('content-length');
  const declared = length === null || length === undefined ? NaN : Number(length);
  if (declared > maxBytes) {
    await body?.cancel().catch(() => undefined);
    return new AnswerTooLarge(status, declared, true);
  }
  // A declared length counts the bytes sent: fetch decodes a compressed body (gzip, br…) to
  // any size, so such a body is counted as it is read.
  const encoding = response.headers?.get('content-encoding');
  const decoded = !encoding || encoding.toLowerCase() === 'identity';
  if ((Number.isFinite(declared) && decoded) || !body) return response.text();
  const reader = body.getReader();
  const parts: string[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return new AnswerTooLarge(status, maxBytes + 1, false);
    }
    parts.push(utf8.decode(value, { stream: true }));
  }
  parts.push(utf8.decode());
  return parts.join('');
}
