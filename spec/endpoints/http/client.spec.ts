/**
 * connectHttp(): calls gathered into POSTs, answers matched by id, every failure a rejection,
 * cancellation and close, against real node:http servers on 127.0.0.1 that the specs control.
 */
import { expect } from 'chai';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { firstValueFrom, take } from 'rxjs';
import sinon from 'sinon';
import {
  ConnectionClosedError,
  connectHttp,
  DEFAULT_HTTP_BATCH_SIZE,
  DEFAULT_MAX_RESPONSE_BYTES,
  JsonRpcHttpError,
  MethodNotFoundError,
  ParseError,
  RequestCancelledError,
  RequestTimeoutError,
  type ConnectHttpOptions,
  type HttpFetch,
  type JsonRpcConnection,
} from '../../../lib/index.js';
import { freePort } from '../../helpers/free-port.js';
import { until } from '../../helpers/relink.js';

interface Call {
  readonly jsonrpc: '2.0';
  readonly id?: number;
  readonly method: string;
  readonly params?: unknown;
}

/** One POST as the server received it. */
interface Post {
  readonly text: string;
  /** True when the body was a JSON array. */
  readonly batch: boolean;
  readonly calls: Call[];
  readonly headers: IncomingHttpHeaders;
  readonly res: ServerResponse;
  /** True once the client hung up before the answer was written. */
  disconnected: boolean;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a test server's methods answer: echo, add, or -32601. */
function answerOf(call: Call): object {
  if (call.method === 'echo') return { jsonrpc: '2.0', id: call.id, result: call.params };
  if (call.method === 'add') {
    const [a, b] = call.params as [number, number];
    return { jsonrpc: '2.0', id: call.id, result: a + b };
  }
  return { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'Method not found' } };
}

function send(post: Post, status: number, body: string, type = 'application/json'): void {
  post.res.writeHead(status, body ? { 'content-type': type } : {}).end(body);
}

/** Answers every request of a POST, as an array for an array; 204 when there is none. */
function answerAll(post: Post): void {
  const answers = post.calls.filter((call) => call.id !== undefined).map(answerOf);
  if (answers.length === 0) return send(post, 204, '');
  send(post, 200, JSON.stringify(post.batch ? answers : answers[0]));
}

/** A JSON-RPC server on 127.0.0.1 that records each POST and answers as `respond` says. */
class RpcServer {
  readonly posts: Post[] = [];
  respond: (post: Post) => void = answerAll;
  url = '';
  private readonly server: Server = createServer((req, res) => this.receive(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/rpc`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The ids of the requests of every POST, in order received. */
  ids(): (number | undefined)[][] {
    return this.posts.map((post) => post.calls.map((call) => call.id));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(text) as Call | Call[];
      const post: Post = {
        text,
        batch: Array.isArray(parsed),
        calls: Array.isArray(parsed) ? parsed : [parsed],
        headers: req.headers,
        res,
        disconnected: false,
      };
      res.on('close', () => {
        if (!res.writableEnded) post.disconnected = true;
      });
      this.posts.push(post);
      this.respond(post);
    });
  }
}

/** A rejection's error (fails when the promise resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('connectHttp()', () => {
  let server: RpcServer;
  const connections: JsonRpcConnection[] = [];

  function connect(options?: ConnectHttpOptions, url = server.url): JsonRpcConnection {
    const connection = connectHttp(url, options);
    connections.push(connection);
    return connection;
  }

  beforeEach(async () => {
    server = await new RpcServer().start();
  });

  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.close();
    await server.close();
  });

  describe('calls', () => {
    it('returns a client connection at once that sends nothing before a call', async () => {
      const connection = connect();
      expect(connection.isClient).to.equal(true);
      expect(connection.state).to.equal('open');
      await delay(20);
      expect(server.posts).to.have.length(0);
    });

    it('sends a lone call as one JSON object with JSON headers, and resolves with its result', async () => {
      const connection = connect();
      expect(await connection.request('add', [1, 2])).to.equal(3);
      expect(server.posts).to.have.length(1);
      const [post] = server.posts;
      expect(post!.batch).to.equal(false);
      expect(post!.calls).to.deep.equal([{ jsonrpc: '2.0', id: 1, method: 'add', params: [1, 2] }]);
      expect(post!.headers['content-type']).to.equal('application/json');
      expect(post!.headers.accept).to.equal('application/json');
    });

    it('sends 50 calls made in one tick as ONE POST of a JSON array, each call resolving', async () => {
      const connection = connect();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) => connection.request('echo', [index])),
      );
      expect(results).to.deep.equal(Array.from({ length: 50 }, (_, index) => [index]));
      expect(server.posts).to.have.length(1);
      expect(server.posts[0]!.batch).to.equal(true);
      expect(server.posts[0]!.calls).to.have.length(50);
      expect(DEFAULT_HTTP_BATCH_SIZE).to.equal(100);
    });

    it('with maxSize 20, sends 50 calls as three POSTs of 20, 20 and 10', async () => {
      const connection = connect({ batch: { maxSize: 20 } });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) => connection.request('add', [index, 1])),
      );
      expect(results[49]).to.equal(50);
      expect(server.posts.map((post) => post.calls.length)).to.deep.equal([20, 20, 10]);
    });

    it('with maxSize 2, sends a full batch at once and starts the next one', async () => {
      const connection = connect({ batch: { maxSize: 2, waitMs: 10_000 } });
      const first = [connection.request('add', [1, 1]), connection.request('add', [2, 2])];
      const third = connection.request('add', [3, 3]);
      expect(await Promise.all(first)).to.deep.equal([2, 4]);
      expect(server.posts).to.have.length(1);
      await connection.close();
      expect(await rejection(third)).to.be.instanceOf(ConnectionClosedError);
      expect(server.posts).to.have.length(1);
    });

    it('with waitMs, holds a batch that long after its first call', async () => {
      const connection = connect({ batch: { waitMs: 80 } });
      const started = Date.now();
      const first = connection.request('add', [1, 2]);
      await delay(30);
      expect(server.posts).to.have.length(0);
      const second = connection.request('add', [3, 4]);
      expect(await Promise.all([first, second])).to.deep.equal([3, 7]);
      expect(Date.now() - started).to.be.at.least(75);
      expect(server.ids()).to.deep.equal([[1, 2]]);
    });

    it('with batch: false, sends each call as its own POST at once', async () => {
      const connection = connect({ batch: false });
      const results = await Promise.all([
        connection.request('add', [1, 2]),
        connection.request('add', [3, 4]),
        connection.request('add', [5, 6]),
      ]);
      expect(results).to.deep.equal([3, 7, 11]);
      expect(server.posts).to.have.length(3);
      expect(server.posts.every((post) => !post.batch)).to.equal(true);
    });

    it('merges a connection.batch() frame whole into the pending POST', async () => {
      const connection = connect();
      const lone = connection.request('add', [1, 1]);
      const inBatch = connection.batch((b) => [b.request('add', [2, 2]), b.request('add', [3, 3])]);
      const last = connection.request('add', [4, 4]);
      expect(await Promise.all([lone, ...inBatch, last])).to.deep.equal([2, 4, 6, 8]);
      expect(server.ids()).to.deep.equal([[1, 2, 3, 4]]);
    });

    it('sends a connection.batch() frame that does not fit alone, never split', async () => {
      const connection = connect({ batch: { maxSize: 3 } });
      const lone = connection.request('add', [1, 1]);
      const inBatch = connection.batch((b) => [
        b.request('add', [2, 2]),
        b.request('echo', ['a,{"jsonrpc":"2.0","id":9}]', { n: [1, { m: 2 }] }]),
        b.request('add', [3, 3]),
      ]);
      const results = await Promise.all([lone, ...inBatch]);
      expect(results).to.deep.equal([
        2,
        4,
        ['a,{"jsonrpc":"2.0","id":9}]', { n: [1, { m: 2 }] }],
        6,
      ]);
      expect(server.ids()).to.deep.equal([[2, 3, 4], [1]]);
    });

    it('with batch: false, sends a connection.batch() frame as one JSON array', async () => {
      const connection = connect({ batch: false });
      const results = await Promise.all(
        connection.batch((b) => {
          b.notify('log', ['x']);
          return [b.request('add', [1, 1]), b.request('add', [2, 2])];
        }),
      );
      expect(results).to.deep.equal([2, 4]);
      expect(server.posts).to.have.length(1);
      expect(server.posts[0]!.batch).to.equal(true);
      expect(server.ids()).to.deep.equal([[undefined, 1, 2]]);
    });

    it('matches answers by id, in any order, as an array or as single objects', async () => {
      server.respond = (post) => {
        const answers = post.calls.map(answerOf).reverse();
        send(post, 200, JSON.stringify(post.calls.length === 1 ? answers[0] : answers));
      };
      const connection = connect();
      const batched = await Promise.all([
        connection.request('add', [1, 1]),
        connection.request('add', [2, 2]),
        connection.request('add', [3, 3]),
      ]);
      expect(batched).to.deep.equal([2, 4, 6]);
      expect(await connection.request('echo', { a: 1 })).to.deep.equal({ a: 1 });
      expect(server.posts.map((post) => post.batch)).to.deep.equal([true, false]);
    });

    it('sends notifications alone (answered 204) and alongside requests', async () => {
      const connection = connect();
      await connection.notify('log', ['alone']);
      await until(() => server.posts.length === 1, 'the notification');
      expect(server.posts[0]!.calls).to.deep.equal([
        { jsonrpc: '2.0', method: 'log', params: ['alone'] },
      ]);
      const notified = connection.notify('log', ['with']);
      expect(await connection.request('add', [2, 3])).to.equal(5);
      await notified;
      expect(server.ids()).to.deep.equal([[undefined], [undefined, 1]]);
    });

    it('never POSTs what the connection answers to a request the server put in a body', async () => {
      server.respond = (post) =>
        send(
          post,
          200,
          JSON.stringify([
            { jsonrpc: '2.0', id: 's1', method: 'ping' },
            { jsonrpc: '2.0', id: post.calls[0]!.id, result: 'ok' },
          ]),
        );
      const connection = connect();
      expect(await connection.request('anything')).to.equal('ok');
      await delay(20);
      expect(server.posts).to.have.length(1);
    });
  });

  describe('failures', () => {
    it('rejects each call of a non-2xx POST with a JsonRpcHttpError carrying the status', async () => {
      server.respond = (post) => send(post, 503, 'Service Unavailable', 'text/plain');
      const connection = connect();
      const errors = await Promise.all([
        rejection(connection.request('add', [1, 1])),
        rejection(connection.request('add', [2, 2])),
      ]);
      for (const error of errors) {
        expect(error).to.be.instanceOf(JsonRpcHttpError);
        expect(error.name).to.equal('JsonRpcHttpError');
        expect((error as JsonRpcHttpError).status).to.equal(503);
        expect(error.message).to.equal(`HTTP 503 from ${server.url}`);
        expect(error.cause).to.equal('Service Unavailable');
      }
    });

    it('rejects a call of a non-2xx POST with its JSON-RPC error answer, status set', async () => {
      server.respond = (post) =>
        send(post, 404, JSON.stringify(post.calls.map(answerOf).slice(0, 1)));
      const connection = connect();
      const [missing, other] = await Promise.all([
        rejection(connection.request('nope')),
        rejection(connection.request('add', [1, 1])),
      ]);
      expect(missing).to.be.instanceOf(MethodNotFoundError);
      expect((missing as MethodNotFoundError & { status: number }).status).to.equal(404);
      expect(other).to.be.instanceOf(JsonRpcHttpError);
      expect((other as JsonRpcHttpError).status).to.equal(404);
    });

    it('rejects every call of a non-2xx POST answered with an error of id null', async () => {
      server.respond = (post) =>
        send(
          post,
          400,
          JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse' } }),
        );
      const connection = connect();
      const error = await rejection(connection.request('add', [1, 1]));
      expect(error).to.be.instanceOf(ParseError);
      expect((error as ParseError & { status: number }).status).to.equal(400);
    });

    it('rejects every call of a 2xx POST answered with an error of id null with that error', async () => {
      const parse = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse' } };
      server.respond = (post) => send(post, 200, JSON.stringify(parse));
      const connection = connect();
      const errors = await Promise.all([
        rejection(connection.request('add', [1, 1])),
        rejection(connection.request('add', [2, 2])),
      ]);
      for (const error of errors) {
        expect(error).to.be.instanceOf(ParseError);
        expect(error.message).to.equal('Parse');
        expect((error as ParseError & { status: number }).status).to.equal(200);
      }
    });

    it('follows no redirect: each call of the POST rejects with the 3xx status', async () => {
      for (const status of [301, 302, 303, 307, 308]) {
        server.respond = (post) => post.res.writeHead(status, { location: '/elsewhere' }).end();
        const connection = connect();
        const error = (await rejection(connection.request('add', [1, 1]))) as JsonRpcHttpError;
        expect(error).to.be.instanceOf(JsonRpcHttpError);
        expect(error.status).to.equal(status);
        expect(error.message).to.equal(
          `HTTP ${status} from ${server.url}: a redirect, not followed (a POST must go to the endpoint itself)`,
        );
      }
      await delay(20);
      expect(server.posts.map((post) => post.calls.length)).to.deep.equal([1, 1, 1, 1, 1]);
    });

    it('rejects on a network error with fetch’s error as the cause', async () => {
      const url = `http://127.0.0.1:${await freePort()}/`;
      const connection = connect({}, url);
      const error = await rejection(connection.request('add', [1, 1]));
      expect(error).to.be.instanceOf(JsonRpcHttpError);
      expect((error as JsonRpcHttpError).status).to.equal(undefined);
      expect(error.message).to.equal(`No answer from ${url}: fetch failed`);
      expect(error.cause).to.be.instanceOf(TypeError);
      expect((error.cause as Error & { cause: { code: string } }).cause.code).to.equal(
        'ECONNREFUSED',
      );
    });

    it('rejects calls answered 200 with a body that is not JSON-RPC, the body as cause', async () => {
      const html = '<html><body>Login</body></html>';
      server.respond = (post) => send(post, 200, html, 'text/html');
      const connection = connect();
      const errors = await Promise.all([
        rejection(connection.request('add', [1, 1])),
        rejection(connection.request('add', [2, 2])),
      ]);
      expect(errors.map((error) => error.message)).to.deep.equal([
        'The answer (HTTP 200) was not JSON-RPC: no response for request 1',
        'The answer (HTTP 200) was not JSON-RPC: no response for request 2',
      ]);
      expect(errors[0]).to.be.instanceOf(JsonRpcHttpError);
      expect((errors[0] as JsonRpcHttpError).status).to.equal(200);
      expect(errors[0].cause).to.equal(html);
      await delay(20);
      expect(server.posts).to.have.length(1); // the connection's -32700 was not POSTed
    });

    it('rejects a call whose id is missing from the answer; the others resolve', async () => {
      server.respond = (post) => send(post, 200, JSON.stringify(post.calls.slice(1).map(answerOf)));
      const connection = connect();
      const missing = rejection(connection.request('add', [1, 1]));
      const answered = connection.request('add', [2, 2]);
      expect(await answered).to.equal(4);
      const error = await missing;
      expect(error).to.be.instanceOf(JsonRpcHttpError);
      expect(error.message).to.equal('The answer (HTTP 200) had no response for request 1');
    });

    it('settles only the calls of its own POST: answers naming another POST’s calls are dropped', async () => {
      server.respond = () => undefined;
      const connection = connect({ batch: { maxSize: 1 } });
      const first = connection.request('add', [1, 1]);
      const second = connection.request('add', [2, 2]);
      const third = rejection(connection.request('add', [3, 3]));
      await until(() => server.posts.length === 3, 'three POSTs');
      const [one, two, three] = server.posts as [Post, Post, Post];
      const forged = (id: number): object => ({ jsonrpc: '2.0', id, result: 'forged' });
      send(one, 200, JSON.stringify([forged(2), answerOf(one.calls[0]!), forged(3), forged(2)]));
      expect(await first).to.equal(2);
      send(three, 200, JSON.stringify(forged(2)));
      const error = await third;
      expect(error.message).to.equal('The answer (HTTP 200) had no response for request 3');
      expect(connection.pendingCount).to.equal(1);
      answerAll(two);
      expect(await second).to.equal(4);
    });

    it('settles only the calls of its own POST whatever byte-order marks lead the answer', async () => {
      server.respond = () => undefined;
      const connection = connect({ batch: { maxSize: 1 } });
      const first = connection.request('add', [1, 1]);
      const second = connection.request('add', [2, 2]);
      await until(() => server.posts.length === 2, 'two POSTs');
      const [one, two] = server.posts as [Post, Post];
      const forged = { jsonrpc: '2.0', id: 2, result: 'forged' };
      send(one, 200, `\uFEFF\uFEFF${JSON.stringify([forged, answerOf(one.calls[0]!)])}`);
      expect(await first).to.equal(2);
      answerAll(two);
      expect(await second).to.equal(4);
    });

    it('rejects the requests of a POST answered 204', async () => {
      server.respond = (post) => send(post, 204, '');
      const connection = connect();
      const notified = connection.notify('log');
      const error = await rejection(connection.request('add', [1, 1]));
      await notified;
      expect(error).to.be.instanceOf(JsonRpcHttpError);
      expect(error.message).to.equal('The answer (HTTP 204) was empty: no response for request 1');
      expect((error as JsonRpcHttpError).status).to.equal(204);
    });
  });

  describe('a hostile server', () => {
    const notJsonRpc = 'The answer (HTTP 200) was not JSON-RPC: no response for request 1';

    it('reads null, [], {}, garbage and deep nesting as no answer; rejects, the body as cause', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      for (const body of ['null', '[]', '{}', '[1,"x",null]', deep]) {
        server.respond = (post) => send(post, 200, body);
        const connection = connect();
        const error = (await rejection(connection.request('add', [1, 1]))) as JsonRpcHttpError;
        expect(error).to.be.instanceOf(JsonRpcHttpError);
        expect(error.message).to.equal(notJsonRpc);
        expect(error.cause).to.equal(body);
      }
    });

    it('settles a call answered among garbage members, and on its first answer of a duplicate id', async () => {
      server.respond = (post) =>
        send(
          post,
          200,
          `[5,{"jsonrpc":"2.0","id":1,"result":"first"},{"jsonrpc":"2.0","id":1,"result":"second"}]`,
        );
      const connection = connect();
      expect(await connection.request('add', [1, 1])).to.equal('first');
      await delay(20);
      expect(server.posts).to.have.length(1); // nothing answered the garbage
    });

    it('rejects the calls of an answer cut mid-body, fetch’s error as cause', async () => {
      server.respond = (post) => {
        post.res.writeHead(200, { 'content-length': '100' }).write('{"jsonrpc":"2.0",');
        setTimeout(() => post.res.destroy(), 10);
      };
      const connection = connect();
      const error = (await rejection(connection.request('add', [1, 1]))) as JsonRpcHttpError;
      expect(error).to.be.instanceOf(JsonRpcHttpError);
      expect(error.message).to.match(/^No answer from http:\/\/127\.0\.0\.1:\d+\/rpc: /);
      expect(error.cause).to.be.instanceOf(Error);
    });

    it('settles a call whose answer stalls mid-body on timeout, abort and close; the fetch is dropped', async () => {
      server.respond = (post) => post.res.writeHead(200).write('{"jsonrpc":"2.0",');
      const controller = new AbortController();
      const connection = connect();
      const timedOut = rejection(connection.request('add', [1, 1], { timeout: 30 }));
      const aborted = rejection(connection.request('add', [2, 2], { signal: controller.signal }));
      await until(() => server.posts.length === 1, 'the POST');
      expect(await timedOut).to.be.instanceOf(RequestTimeoutError);
      controller.abort();
      expect(await aborted).to.be.instanceOf(RequestCancelledError);
      await until(() => server.posts[0]!.res.destroyed, 'the fetch to be dropped');
      const late = connect();
      const stalled = rejection(late.request('add', [3, 3]));
      await until(() => server.posts.length === 2, 'the second POST');
      await delay(10);
      await late.close();
      expect(await stalled).to.be.instanceOf(ConnectionClosedError);
      await until(() => server.posts[1]!.res.destroyed, 'the fetch to be dropped at close()');
    });
  });

  describe('maxResponseBytes', () => {
    const big = (id: number | undefined, size: number): string =>
      JSON.stringify({ jsonrpc: '2.0', id, result: 'x'.repeat(size) });

    it('defaults to 16 MiB', () => {
      expect(DEFAULT_MAX_RESPONSE_BYTES).to.equal(16 * 1024 * 1024);
    });

    it('refuses a declared length over it unread; each call rejects with the status', async () => {
      server.respond = (post) => {
        const text = big(post.calls[0]!.id, 5000);
        post.res.writeHead(200, { 'content-length': Buffer.byteLength(text) }).end(text);
      };
      const connection = connect({ maxResponseBytes: 1000 });
      const error = (await rejection(connection.request('echo', []))) as JsonRpcHttpError;
      expect(error).to.be.instanceOf(JsonRpcHttpError);
      expect(error.status).to.equal(200);
      expect(error.message).to.equal(
        `The answer (HTTP 200) from ${server.url} was too large: 5036 bytes, maxResponseBytes is 1000`,
      );
    });

    it('counts a chunked body as it arrives and drops it once past the limit', async () => {
      let written = 0;
      server.respond = (post) => {
        post.res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => {
          if (post.res.destroyed || written > 200_000) {
            clearInterval(timer);
            return void post.res.end();
          }
          written += 1000;
          post.res.write(' '.repeat(1000));
        }, 1);
      };
      const connection = connect({ maxResponseBytes: 10_000 });
      const error = (await rejection(connection.request('echo', []))) as JsonRpcHttpError;
      expect(error.message).to.equal(
        `The answer (HTTP 200) from ${server.url} was too large: over 10000 bytes, maxResponseBytes is 10000`,
      );
      await until(() => server.posts[0]!.res.destroyed, 'the answer to be cut');
      expect(written).to.be.below(200_000);
    });

    it('counts a compressed body as it decodes: a small Content-Length does not let a bomb in', async () => {
      server.respond = (post) => {
        const zipped = gzipSync(big(post.calls[0]!.id, 1_000_000));
        post.res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': zipped.length });
        post.res.end(zipped);
      };
      const connection = connect({ maxResponseBytes: 10_000 });
      const error = (await rejection(connection.request('echo', []))) as JsonRpcHttpError;
      expect(error.message).to.equal(
        `The answer (HTTP 200) from ${server.url} was too large: over 10000 bytes, maxResponseBytes is 10000`,
      );
    });

    it('reads a chunked body under it whole', async () => {
      server.respond = (post) => {
        post.res.writeHead(200, { 'content-type': 'application/json' });
        const text = big(post.calls[0]!.id, 3000);
        post.res.write(text.slice(0, 1000));
        setTimeout(() => post.res.end(text.slice(1000)), 5);
      };
      const connection = connect({ maxResponseBytes: 4000 });
      expect(await connection.request('echo', [])).to.equal('x'.repeat(3000));
    });
  });

  describe('options', () => {
    it('sends the headers of an object, over the JSON ones', async () => {
      const connection = connect({ headers: { 'X-Token': 'abc', Accept: 'application/json-rpc' } });
      await connection.request('add', [1, 1]);
      expect(server.posts[0]!.headers['x-token']).to.equal('abc');
      expect(server.posts[0]!.headers.accept).to.equal('application/json-rpc');
      expect(server.posts[0]!.headers['content-type']).to.equal('application/json');
    });

    it('calls a headers function before each POST, sync or async', async () => {
      let calls = 0;
      const sync = connect({ headers: () => ({ 'x-call': String(++calls) }) });
      await sync.request('add', [1, 1]);
      await sync.request('add', [1, 1]);
      const later = connect({ headers: async () => new Headers({ 'x-call': 'async' }) });
      await later.request('add', [1, 1]);
      expect(server.posts.map((post) => post.headers['x-call'])).to.deep.equal(['1', '2', 'async']);
    });

    it('rejects the calls of a POST whose headers function throws or rejects; nothing sent', async () => {
      const thrown = new Error('no token');
      const throwing = connect({
        headers: () => {
          throw thrown;
        },
      });
      const rejecting = connect({ headers: () => Promise.reject(thrown) });
      for (const connection of [throwing, rejecting]) {
        const error = await rejection(connection.request('add', [1, 1]));
        expect(error).to.be.instanceOf(JsonRpcHttpError);
        expect(error.message).to.equal('The "headers" option failed: nothing was sent');
        expect(error.cause).to.equal(thrown);
      }
      expect(server.posts).to.have.length(0);
    });

    it('uses the fetch option instead of globalThis.fetch', async () => {
      const seen: { url: string; method: string; body: string; redirect: string }[] = [];
      const fetch: HttpFetch = async (url, init) => {
        seen.push({ url, method: init.method, body: init.body, redirect: init.redirect });
        const call = JSON.parse(init.body) as Call;
        return { status: 200, text: async () => JSON.stringify(answerOf(call)) };
      };
      const connection = connect({ fetch }, 'http://example.invalid/rpc');
      expect(await connection.request('add', [2, 2])).to.equal(4);
      expect(seen).to.deep.equal([
        {
          url: 'http://example.invalid/rpc',
          method: 'POST',
          body: '{"jsonrpc":"2.0","id":1,"method":"add","params":[2,2]}',
          redirect: 'manual',
        },
      ]);
    });

    it('rejects the calls of a POST whose fetch resolves with no Response, saying so', async () => {
      const results: [unknown, string][] = [
        [null, 'null'],
        [5, '5'],
        [{ status: '200', text: async () => '' }, 'an object without an integer status'],
        [{ status: 200 }, 'an object without text()'],
      ];
      for (const [result, what] of results) {
        const fetch = (async () => result) as unknown as HttpFetch;
        const connection = connect({ fetch }, 'http://example.invalid/rpc');
        const error = await rejection(connection.request('add', [1, 1]));
        expect(error).to.be.instanceOf(JsonRpcHttpError);
        expect(error.message).to.equal(
          `No answer from http://example.invalid/rpc: fetch resolved with ${what}, not a Response`,
        );
        expect(error.cause).to.be.instanceOf(TypeError);
      }
    });

    it('rejects the calls of a POST whose fetch throws at once, the throw as cause', async () => {
      const thrown = new TypeError('bad fetch');
      const connection = connect({
        batch: false,
        fetch: () => {
          throw thrown;
        },
      });
      const error = await rejection(connection.request('add', [1, 1]));
      expect(error).to.be.instanceOf(JsonRpcHttpError);
      expect(error.message).to.equal(`No answer from ${server.url}: bad fetch`);
      expect(error.cause).to.equal(thrown);
    });

    it('passes the connection options on (a default timeout)', async () => {
      server.respond = () => undefined;
      const connection = connect({ connection: { timeout: 30 } });
      expect(await rejection(connection.request('add', [1, 1]))).to.be.instanceOf(
        RequestTimeoutError,
      );
    });

    it('throws at once for an invalid URL or option, naming it', () => {
      const cases: [() => unknown, typeof TypeError, string][] = [
        [
          () => connectHttp('ws://127.0.0.1/'),
          TypeError,
          'The url must be an http: or https: URL, got ws://127.0.0.1/',
        ],
        [
          () => connectHttp('not a url'),
          TypeError,
          'The url must be an http: or https: URL, got not a url',
        ],
        [
          () => connectHttp(42 as unknown as string),
          TypeError,
          'The url must be an http: or https: URL, got 42',
        ],
        [
          () => connectHttp(server.url, 'x' as ConnectHttpOptions),
          TypeError,
          'The options of connectHttp() must be an object, got x',
        ],
        [
          () => connectHttp(server.url, { batch: { maxSize: 0 } }),
          RangeError,
          'The "batch.maxSize" option must be a positive integer, got 0',
        ],
        [
          () => connectHttp(server.url, { batch: { maxSize: '5' as unknown as number } }),
          TypeError,
          'The "batch.maxSize" option must be a number, got 5',
        ],
        [
          () => connectHttp(server.url, { batch: { waitMs: -1 } }),
          RangeError,
          'The "batch.waitMs" option must be between 0 and 2147483647 milliseconds, got -1',
        ],
        [
          () => connectHttp(server.url, { batch: true as unknown as false }),
          TypeError,
          'The "batch" option must be false or an object, got true',
        ],
        [
          () => connectHttp(server.url, { headers: 5 as unknown as HeadersInit }),
          TypeError,
          'The "headers" option must be an object or a function, got 5',
        ],
        [
          () => connectHttp(server.url, { fetch: 'fetch' as unknown as HttpFetch }),
          TypeError,
          'The "fetch" option must be a function, got fetch',
        ],
        [
          () => connectHttp(server.url, { connection: 5 as unknown as object }),
          TypeError,
          'The "connection" option must be an object, got 5',
        ],
        [
          () => connectHttp(server.url, { connection: { timeout: -1 } }),
          RangeError,
          'The "timeout" option must be between 0 and 2147483647 milliseconds, got -1',
        ],
      ];
      for (const [make, type, message] of cases) {
        expect(make).to.throw(type, message).with.property('message', message);
      }
      expect(() => connectHttp(server.url, { headers: { 'bad name': 'x' } }))
        .to.throw(TypeError)
        .with.property('message')
        .that.matches(/^The "headers" option is invalid: /);
    });

    it('throws a TypeError at once when no fetch exists', () => {
      const stub = sinon.stub(globalThis, 'fetch').value(undefined);
      try {
        expect(() => connectHttp('http://127.0.0.1/')).to.throw(
          TypeError,
          'No fetch available: pass the "fetch" option (globalThis.fetch is missing)',
        );
      } finally {
        stub.restore();
      }
    });
  });

  describe('cancellation', () => {
    it('drops a call aborted before its POST leaves from that POST', async () => {
      const connection = connect();
      const controller = new AbortController();
      const aborted = connection.request('add', [1, 1], { signal: controller.signal });
      const kept = connection.request('add', [2, 2]);
      controller.abort();
      expect(await rejection(aborted)).to.be.instanceOf(RequestCancelledError);
      expect(await kept).to.equal(4);
      expect(server.ids()).to.deep.equal([[2]]);
    });

    it('drops a call aborted while the headers function runs from its POST', async () => {
      const connection = connect({
        headers: async () => {
          await delay(30);
          return {};
        },
      });
      const controller = new AbortController();
      const aborted = rejection(connection.request('add', [1, 1], { signal: controller.signal }));
      const kept = connection.request('add', [2, 2]);
      await delay(10);
      controller.abort();
      expect(await aborted).to.be.instanceOf(RequestCancelledError);
      expect(await kept).to.equal(4);
      expect(server.ids()).to.deep.equal([[2]]);
      expect(server.posts[0]!.batch).to.equal(false);
    });

    it('sends nothing when every call of a batch window was aborted', async () => {
      const connection = connect();
      const controller = new AbortController();
      const aborted = connection.request('add', [1, 1], { signal: controller.signal });
      controller.abort();
      expect(await rejection(aborted)).to.be.instanceOf(RequestCancelledError);
      await delay(20);
      expect(server.posts).to.have.length(0);
    });

    it('aborts the fetch of the only call in flight: the server sees the disconnect', async () => {
      server.respond = () => undefined;
      const connection = connect();
      const controller = new AbortController();
      const call = connection.request('add', [1, 1], { signal: controller.signal });
      await until(() => server.posts.length === 1, 'the POST');
      controller.abort();
      expect(await rejection(call)).to.be.instanceOf(RequestCancelledError);
      await until(() => server.posts[0]!.disconnected, 'the disconnect');
      expect(server.posts).to.have.length(1); // no cancel notification
    });

    it('keeps the fetch of a POST with another request still awaited', async () => {
      server.respond = () => undefined;
      const connection = connect();
      const controller = new AbortController();
      const aborted = connection.request('add', [1, 1], { signal: controller.signal });
      const kept = connection.request('add', [2, 2]);
      await until(() => server.posts.length === 1, 'the POST');
      controller.abort();
      expect(await rejection(aborted)).to.be.instanceOf(RequestCancelledError);
      await delay(30);
      const [post] = server.posts;
      expect(post!.disconnected).to.equal(false);
      answerAll(post!);
      expect(await kept).to.equal(4);
      expect(server.posts).to.have.length(1);
    });

    it('aborts the fetch of a call that timed out', async () => {
      server.respond = () => undefined;
      const connection = connect();
      const error = await rejection(connection.request('add', [1, 1], { timeout: 40 }));
      expect(error).to.be.instanceOf(RequestTimeoutError);
      await until(() => server.posts[0]?.disconnected === true, 'the disconnect');
      expect(server.posts).to.have.length(1);
    });

    it('aborts the fetch of a request$() unsubscribed', async () => {
      server.respond = () => undefined;
      const connection = connect();
      const values: unknown[] = [];
      const subscription = connection.request$('add', [1, 1]).subscribe({
        next: (value) => values.push(value),
        error: (error: unknown) => values.push(error),
      });
      await until(() => server.posts.length === 1, 'the POST');
      subscription.unsubscribe();
      await until(() => server.posts[0]!.disconnected, 'the disconnect');
      expect(connection.pendingCount).to.equal(0);
      expect(values).to.deep.equal([]);
      expect(server.posts).to.have.length(1);
    });
  });

  describe('request$() and signals', () => {
    it('is cold: two subscriptions make two calls; take(1) and firstValueFrom get the result', async () => {
      const connection = connect();
      const call$ = connection.request$('add', [1, 1]);
      const values: unknown[] = [];
      call$.subscribe((value) => values.push(value));
      call$.subscribe((value) => values.push(value));
      expect(await firstValueFrom(call$.pipe(take(1)))).to.equal(2);
      await until(() => values.length === 2, 'both results');
      expect(values).to.deep.equal([2, 2]);
      expect(server.ids()).to.deep.equal([[1, 2, 3]]);
    });

    it('sends nothing for a request$() unsubscribed at once, or a signal aborted already', async () => {
      const connection = connect();
      connection.request$('add', [1, 1]).subscribe().unsubscribe();
      const error = await rejection(
        connection.request('add', [2, 2], { signal: AbortSignal.abort() }),
      );
      expect(error).to.be.instanceOf(RequestCancelledError);
      expect(await connection.request('add', [3, 3])).to.equal(6);
      expect(server.ids()).to.deep.equal([[2]]);
    });

    it('leaves no listener on the caller’s signal, however the call ends', async () => {
      const ends: ((signal: AbortSignal, controller: AbortController) => Promise<unknown>)[] = [
        (signal) => connect().request('add', [1, 1], { signal }),
        (signal) => connect().request('nope', [], { signal }),
        (signal) => connect({ batch: false }).request('add', [1, 1], { signal, timeout: 20 }),
        async (signal, controller) => {
          const call = connect().request('add', [1, 1], { signal });
          await until(() => server.posts.length > 0, 'the POST');
          controller.abort();
          return call;
        },
        async (signal) => {
          const connection = connect();
          const call = connection.request('add', [1, 1], { signal });
          await until(() => server.posts.length > 0, 'the POST');
          await connection.close();
          return call;
        },
        (signal) =>
          connect({ headers: () => Promise.reject(new Error('no token')) }).request('add', [1, 1], {
            signal,
          }),
      ];
      for (const [index, end] of ends.entries()) {
        server.posts.length = 0;
        server.respond = index < 2 ? answerAll : () => undefined;
        const controller = new AbortController();
        await end(controller.signal, controller).catch(() => undefined);
        expect(getEventListeners(controller.signal, 'abort'), `end ${index}`).to.deep.equal([]);
      }
    });

    it('settles 10,000 calls made in one tick as 100 POSTs of 100', async () => {
      const connection = connect({ batch: { maxSize: 100 } });
      const calls = Array.from({ length: 10_000 }, (_, index) =>
        connection.request('add', [index, 1]),
      );
      const results = await Promise.all(calls);
      expect(results.every((result, index) => result === index + 1)).to.equal(true);
      expect(server.posts.map((post) => post.calls.length)).to.deep.equal(Array(100).fill(100));
      expect(connection.pendingCount).to.equal(0);
    });
  });

  describe('close and teardown', () => {
    it('close() aborts every fetch in flight and rejects pending calls', async () => {
      server.respond = () => undefined;
      const connection = connect({ batch: { maxSize: 1 } });
      const calls = [connection.request('add', [1, 1]), connection.request('add', [2, 2])];
      await until(() => server.posts.length === 2, 'both POSTs');
      await connection.close();
      for (const call of calls) {
        expect(await rejection(call)).to.be.instanceOf(ConnectionClosedError);
      }
      await until(() => server.posts.every((post) => post.disconnected), 'the disconnects');
    });

    it('a call closed before its tick is never POSTed, and rejects', async () => {
      const connection = connect();
      const call = connection.request('add', [1, 1]);
      await connection.close();
      expect(await rejection(call)).to.be.instanceOf(ConnectionClosedError);
      await delay(20);
      expect(server.posts).to.have.length(0);
    });

    it('close() clears the batch timer', async () => {
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const connection = connect({ batch: { waitMs: 1000 } });
        const call = connection.request('add', [1, 1]);
        expect(clock.countTimers()).to.equal(1);
        await connection.close();
        expect(clock.countTimers()).to.equal(0);
        expect(await rejection(call)).to.be.instanceOf(ConnectionClosedError);
      } finally {
        clock.restore();
      }
      expect(server.posts).to.have.length(0);
    });

    it('sends nothing when close() comes while a headers function runs', async () => {
      let made = 0;
      const connection = connect({
        headers: async () => {
          await delay(40);
          made++;
          return { 'x-late': '1' };
        },
      });
      const call = connection.request('add', [1, 1]);
      await delay(10);
      await connection.close();
      expect(await rejection(call)).to.be.instanceOf(ConnectionClosedError);
      await delay(60);
      expect(made).to.equal(1);
      expect(server.posts).to.have.length(0);
    });

    it('lets go of a POST at close() whose fetch or body never settles, its signal ignored', async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      // Held as long as the connection, as a cache of the user's might hold it.
      const forever = new Promise<never>(() => undefined);
      const stalls: HttpFetch[] = [
        () => forever,
        async () => ({ status: 200, text: () => forever }),
      ];
      for (const stall of stalls) {
        let signal: WeakRef<AbortSignal> | undefined;
        const fetch: HttpFetch = (_url, init) => {
          signal = new WeakRef(init.signal);
          return stall(_url, init);
        };
        const connection = connect({ fetch });
        const call = rejection(connection.request('add', [1, 1]));
        await until(() => signal !== undefined, 'the fetch');
        await connection.close();
        expect(await call).to.be.instanceOf(ConnectionClosedError);
        await delay(0);
        gc();
        expect(signal!.deref()).to.equal(undefined);
      }
    });

    it('calls after close() reject and send nothing', async () => {
      const connection = connect();
      await connection.close();
      expect(await rejection(connection.request('add', [1, 1]))).to.be.instanceOf(
        ConnectionClosedError,
      );
      await delay(20);
      expect(server.posts).to.have.length(0);
    });
  });

  describe('observe$()', () => {
    it('errors on subscribe, naming WebSocket, and sends nothing', async () => {
      const connection = connect();
      const errors: unknown[] = [];
      connection.observe$('ticks').subscribe({ error: (error: unknown) => errors.push(error) });
      expect(errors).to.have.length(1);
      expect(errors[0]).to.be.instanceOf(JsonRpcHttpError);
      expect((errors[0] as Error).message).to.match(/WebSocket/);
      await delay(20);
      expect(server.posts).to.have.length(0);
    });

    it('throws a TypeError at once for a name that is not a string', () => {
      const connection = connect();
      expect(() => connection.observe$(5 as unknown as string)).to.throw(
        TypeError,
        'The method must be a string, got number',
      );
    });
  });
});
