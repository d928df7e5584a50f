/**
 * The checks a WebSocket upgrade request passes before it is accepted: path, Origin,
 * authentication. Each failure is an HTTP status.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/** Which browser origins may open a connection. */
export type AllowedOrigins = readonly string[] | '*' | ((origin: string) => boolean);

/** The HTTP status refusing an upgrade, or undefined to accept it. */
export type HandshakeVerdict = 401 | 403 | 404 | 500 | undefined;

/** Options of the upgrade checks. */
export interface HandshakeOptions {
  path?: string;
  allowedOrigins?: AllowedOrigins;
  authenticate?: (request: IncomingMessage) => boolean | Promise<boolean>;
}

/** The path part of a request URL ('/' when missing). */
export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Whether the request's Origin may connect. Without `allowedOrigins`, a request with no
 * Origin (not from a browser) or one from the server's own host is allowed; any other browser
 * origin is refused: this stops cross-site WebSocket hijacking of servers on localhost.
 */
export function originAllowed(
  request: IncomingMessage,
  allowed: AllowedOrigins | undefined,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (typeof allowed === 'function') return allowed(origin);
  if (allowed !== undefined) return allowed.includes(origin);
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Runs the checks in order: path (404), Origin (403), authentication (401). */
export async function checkHandshake(
  request: IncomingMessage,
  options: HandshakeOptions,
): Promise<HandshakeVerdict> {
  if (options.path !== undefined && pathOf(request) !== options.path) return 404;
  if (!originAllowed(request, options.allowedOrigins)) return 403;
  if (options.authenticate) {
    try {
      if (!(await options.authenticate(request))) return 401;
    } catch {
      return 401;
    }
  }
  return undefined;
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** Writes a bare HTTP error response on the upgrade socket and closes it. */
export function refuse(socket: NodeJS.WritableStream & { destroy(): void }, status: number): void {
  const reason = REASONS[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
}
