/**
 * The HTTP side of the handler's refusals, and its CORS headers.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The statuses the handler answers a request it does not take with. */
export type HttpStatus = 401 | 403 | 404 | 405 | 413 | 415 | 500;

const REASONS: Record<HttpStatus, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type: send application/json',
  500: 'Internal Server Error',
};

/**
 * A bare refusal with a short text. A 413 also closes the connection: the rest of a body too
 * large is not worth reading.
 */
export function refuse(response: ServerResponse, status: HttpStatus): void {
  if (response.headersSent || response.destroyed) return;
  const reason = REASONS[status];
  if (status === 413) response.setHeader('Connection', 'close');
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(reason),
  });
  response.end(reason);
}

/** For an allowed browser origin: lets its page read the response. */
export function allowCors(request: IncomingMessage, response: ServerResponse): void {
  const { origin } = request.headers;
  if (origin === undefined) return;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Vary', 'Origin');
}
