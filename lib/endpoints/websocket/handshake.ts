/**
 * The checks a WebSocket upgrade request passes before it is accepted: path, Origin,
 * authentication. Each failure is an HTTP status.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import {
  authenticated,
  onPath,
  originAllowed,
  type RequestCheckOptions,
} from '../request-checks.js';

/** The HTTP status refusing an upgrade, or undefined to accept it. */
export type HandshakeVerdict = 401 | 403 | 404 | 500 | undefined;

/** Options of the upgrade checks. */
export type HandshakeOptions = RequestCheckOptions;

/** Runs the checks in order: path (404), Origin (403), authentication (401). */
export async function checkHandshake(
  request: IncomingMessage,
  options: HandshakeOptions,
): Promise<HandshakeVerdict> {
  if (!onPath(request, options.path)) return 404;
  if (!originAllowed(request, options.allowedOrigins)) return 403;
  if (!(await authenticated(request, options.authenticate))) return 401;
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
