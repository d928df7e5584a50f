/**
 * Reading a POST's body, counted against a limit as it arrives.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/** The body, or why there is none: too large (413), or the client went away. */
export type BodyRead = Buffer | 'too-large' | 'aborted';

/**
 * Reads the whole body, at most `maxBytes` of it. A body a parser mounted before this handler
 * already consumed is taken from `request.body` (a string or bytes as they are, an object
 * as its JSON).
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  if (request.readableEnded) return Promise.resolve(parsedBody(request));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead): void => {
      request.off('data', onData).off('end', onEnd).off('error', onAborted);
      request.off('close', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      chunks.length = 0;
      // The rest is read and dropped, so the 413 reaches a client still sending.
      request.resume();
      finish('too-large');
    };
    const onEnd = (): void => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const onAborted = (): void => finish('aborted');
    request.on('data', onData).on('end', onEnd).on('error', onAborted).on('close', onAborted);
  });
}

function parsedBody(request: IncomingMessage): Buffer {
  const body = (request as { body?: unknown }).body;
  if (Buffer.isBuffer(body)) return body;
  // What is not JSON (undefined, say) gives an empty body: a -32700 answer, as it should.
  return Buffer.from(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
}
