/**
 * createHttpHandler: JSON-RPC over HTTP POST, as a `node:http` request listener or
 * Express/Connect middleware. Each POST is one connection: its body the calls, its response
 * their answers.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonRpcConnection } from '../../connection/connection.js';
import { JsonRpcConnectionType } from '../../connection/options.js';
import type { JsonRpcAnyMethods } from '../../protocol/method-map.js';
import { authenticated, onPath, originAllowed } from '../request-checks.js';
import { readBody } from './body.js';
import { HttpExchange } from './exchange.js';
import {
  resolveHttpOptions,
  type HttpHandlerOptions,
  type ResolvedHttpOptions,
} from './options.js';
import { allowCors, refuse, type HttpStatus } from './responses.js';

/** A request listener for `http.createServer()`, and Express/Connect middleware. */
export type HttpHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** Called for each POST that passed every check, with its connection: serve it there. */
export type HttpConnectionHandler<Remote extends object, Local extends object> = (
  connection: JsonRpcConnection<Remote, Local>,
  request: IncomingMessage,
) => unknown;

/**
 * Serves JSON-RPC over HTTP POST. Checks run in order — path (others go to `next()`, or 404),
 * Origin (403), authentication (401), method (405), `Content-Type` (415), body size (413) —
 * then `onConnection(connection, request)` runs and is awaited (a throw answers 500), and the
 * body is delivered to that connection. Every JSON-RPC answer, errors included, is a 200 with
 * one JSON body; a body of notifications only is a 204 once their handlers have settled.
 * The connection closes once the response is written; a client that goes away first aborts
 * its handlers' signals. Mount it before any body parser.
 *
 * @example
 * const methods = { add: ([a, b]: [number, number]) => a + b };
 * createServer(createHttpHandler((connection) => connection.serve(methods))).listen(8545);
 * @throws TypeError or RangeError for an invalid option
 */
export function createHttpHandler<
  Remote extends object = JsonRpcAnyMethods,
  Local extends object = JsonRpcAnyMethods,
>(
  onConnection: HttpConnectionHandler<Remote, Local>,
  options: HttpHandlerOptions = {},
): HttpHandler {
  if (typeof onConnection !== 'function') throw new TypeError('onConnection must be a function');
  const resolved = resolveHttpOptions(options);
  return (request, response, next) => {
    if (!onPath(request, resolved.path)) {
      if (typeof next === 'function') return next();
      return refuse(response, 404);
    }
    if (!originAllowed(request, resolved.allowedOrigins)) return refuse(response, 403);
    allowCors(request, response);
    if (request.method === 'OPTIONS' && request.headers.origin !== undefined) {
      return preflight(request, response);
    }
    void checked(request, response, resolved).then((status) => {
      if (status !== undefined) return refuse(response, status);
      exchange(request, response, resolved, onConnection);
    });
  };
}

/** The checks after the Origin: authentication, method, type, declared size. */
async function checked(
  request: IncomingMessage,
  response: ServerResponse,
  options: ResolvedHttpOptions,
): Promise<HttpStatus | undefined> {
  if (!(await authenticated(request, options.authenticate))) return 401;
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    return 405;
  }
  if (!isJson(request.headers['content-type'])) return 415;
  const declared = Number(request.headers['content-length']);
  if (declared > options.maxBodyBytes) return 413;
  return undefined;
}

/** `application/json`, with parameters, in any case. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const type = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return type.trim().toLowerCase() === 'application/json';
}

function preflight(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader('Access-Control-Allow-Methods', 'POST');
  const headers = request.headers['access-control-request-headers'];
  if (headers !== undefined) response.setHeader('Access-Control-Allow-Headers', headers);
  response.setHeader('Access-Control-Max-Age', '600');
  response.writeHead(204).end();
}

/** One POST that passed the checks: its connection, its body, its answer. */
function exchange<Remote extends object, Local extends object>(
  request: IncomingMessage,
  response: ServerResponse,
  options: ResolvedHttpOptions,
  onConnection: HttpConnectionHandler<Remote, Local>,
): void {
  const transport: HttpExchange = new HttpExchange({
    answer: (text) => respond(response, 200, text),
    // Closed before answering (by a handler, or the client): nothing more will come.
    closed: () => {
      if (!response.headersSent && !response.destroyed) refuse(response, 500);
    },
  });
  const connection = new JsonRpcConnection<Remote, Local>(
    transport,
    JsonRpcConnectionType.SERVER,
    options.connection,
  );
  response.once('close', () => {
    // The client went away before its answer: its handlers' signals abort.
    if (!response.writableFinished) transport.hangUp();
  });
  const started = Promise.resolve().then(() => onConnection(connection, request));
  void Promise.all([readBody(request, options.maxBodyBytes), started]).then(
    async ([body]) => {
      if (body === 'aborted') return transport.hangUp();
      if (body === 'too-large') {
        refuse(response, 413);
        return transport.hangUp();
      }
      transport.deliver(body);
      if (!transport.hasAnswered && connection.incomingCount === 0) {
        // Notifications only (or answers): nothing to answer once their handlers settle.
        await connection.idle();
        if (!transport.hasAnswered && !response.headersSent) response.writeHead(204).end();
      }
      await connection.idle();
      transport.hangUp();
    },
    (error: unknown) => {
      options.onError(error);
      refuse(response, 500);
      transport.hangUp();
    },
  );
}

function respond(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
