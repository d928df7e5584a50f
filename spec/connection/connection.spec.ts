import { expect } from 'chai';
import sinon from 'sinon';
import { firstValueFrom, NEVER, Subject } from 'rxjs';
import {
  ConnectionClosedError,
  createMemoryTransportPair,
  InvalidParamsError,
  JsonRpcConnection,
  JsonRpcConnectionType,
  JsonRpcError,
  MethodNotFoundError,
  RequestCancelledError,
  RequestTimeoutError,
  TooManyPendingRequestsError,
  type JsonRpcCall,
} from '../../lib/index.js';
import { collect, connectionPair, RawPeer, settle } from '../helpers/pair.js';

/** A server whose `wait` handler never answers by itself and records its cancellation. */
function slowServer() {
  const pair = connectionPair();
  const aborted: unknown[] = [];
  const started = new Subject<JsonRpcCall>();
  pair.server.serve({
    wait: (_params, { signal, request }) =>
      new Promise((_resolve, reject) => {
        started.next(request);
        signal.addEventListener('abort', () => {
          aborted.push(request.id);
          reject(new RequestCancelledError());
        });
      }),
  });
  return { ...pair, aborted, started };
}

/** Spies on a signal's listeners: each one added must be removed. */
function spySignal(signal: AbortSignal) {
  const added = sinon.spy(signal, 'addEventListener');
  const removed = sinon.spy(signal, 'removeEventListener');
  return () => {
    expect(added.callCount, 'listeners added').to.equal(1);
    expect(removed.callCount, 'listeners removed').to.equal(1);
    expect(removed.firstCall.args[1]).to.equal(added.firstCall.args[1]);
  };
}

describe('JsonRpcConnection', () => {
  afterEach(() => sinon.restore());

  describe('roles', () => {
    it('reports its role and defaults to PEER', async () => {
      const [a, b] = createMemoryTransportPair();
      const peer = new JsonRpcConnection(a);
      const server = new JsonRpcConnection(b, JsonRpcConnectionType.SERVER);
      expect(peer.role).to.equal('peer');
      expect([peer.isClient, peer.isServer]).to.deep.equal([false, false]);
      expect([server.isClient, server.isServer]).to.deep.equal([false, true]);
      await peer.close();
      await server.close();
    });

    it('rejects an unknown role and invalid options loudly', () => {
      const [a] = createMemoryTransportPair();
      expect(() => new JsonRpcConnection(a, 'boss' as never)).to.throw(
        TypeError,
        'Unknown connection role: boss',
      );
      expect(() => new JsonRpcConnection(a, undefined, { maxPendingRequests: 0 })).to.throw(
        RangeError,
        'The "maxPendingRequests" option must be a positive integer, got 0',
      );
      expect(() => new JsonRpcConnection(a, undefined, { timeout: -1 })).to.throw(
        RangeError,
        'The "timeout" option must be between 0 and 2147483647 milliseconds, got -1',
      );
      expect(() => new JsonRpcConnection(a, undefined, { cancellation: 'no' as never })).to.throw(
        TypeError,
        'The "cancellation" option must be an object or false, got no',
      );
      a.complete();
    });
  });

  describe('request()', () => {
    it('resolves with the result', async () => {
      const { client, server } = connectionPair();
      server.serve({ add: (params) => (params as number[]).reduce((a, b) => a + b, 0) });
      expect(await client.request('add', [1, 2, 3])).to.equal(6);
      await client.close();
    });

    it("rejects with the peer's error rebuilt into its class, code, message and data kept", async () => {
      const { client, server } = connectionPair();
      server.serve({
        strict: () => {
          throw new InvalidParamsError('Expected two numbers', { got: 1 });
        },
      });
      const error = (await client.request('strict', []).catch((e: unknown) => e)) as JsonRpcError;
      expect(error).to.be.instanceOf(InvalidParamsError).and.instanceOf(JsonRpcError);
      expect([error.code, error.message, error.data]).to.deep.equal([
        -32602,
        'Expected two numbers',
        { got: 1 },
      ]);
      const missing = await client.request('nothing').catch((e: unknown) => e);
      expect(missing).to.be.instanceOf(MethodNotFoundError);
      await client.close();
    });

    it('throws at once for a method that is not a string or params of the wrong kind', async () => {
      const { client } = connectionPair();
      expect(() => client.request(42 as never)).to.throw(
        TypeError,
        'The method must be a string, got number',
      );
      expect(() => client.request('x', 'text' as never)).to.throw(
        TypeError,
        'Params must be an array or an object, got string',
      );
      expect(() => client.request('x', null as never)).to.throw(
        TypeError,
        'Params must be an array or an object, got null',
      );
      await client.close();
    });

    it('rejects params JSON cannot carry with a TypeError and leaves nothing pending', async () => {
      const { client } = connectionPair();
      const error = await client.request('x', [10n]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal('Value cannot be encoded as JSON');
      expect(client.pendingCount).to.equal(0);
      await client.close();
    });

    it('calls both ways over one connection, nested inside a handler', async () => {
      const { client, server } = connectionPair();
      client.serve({ whoami: () => 'client' });
      server.serve({
        ask: async (_params, { connection }) =>
          `server asked ${String(await connection.request('whoami'))}`,
      });
      expect(await client.request('ask')).to.equal('server asked client');
      await client.close();
    });

    it('correlates out-of-order answers by id', async () => {
      const { client, server } = connectionPair();
      server.serve({
        delay: (params) => {
          const [ms] = params as [number];
          return new Promise((resolve) => setTimeout(() => resolve(ms), ms));
        },
      });
      const results = await Promise.all([30, 10, 20].map((ms) => client.request('delay', [ms])));
      expect(results).to.deep.equal([30, 10, 20]);
      await client.close();
    });
  });

  describe('the five exits of a request, each leaving nothing behind', () => {
    it('answer: the entry, timer and abort listener are gone', async () => {
      const { client, server } = connectionPair();
      server.serve({ echo: (params) => params });
      const controller = new AbortController();
      const check = spySignal(controller.signal);
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const answer = client.request('echo', ['x'], { signal: controller.signal, timeout: 1000 });
      expect(clock.countTimers()).to.equal(1);
      expect(await answer).to.deep.equal(['x']);
      expect(client.pendingCount).to.equal(0);
      expect(clock.countTimers()).to.equal(0);
      check();
      await client.close();
    });

    it('unsubscribe: request$ tears down, the peer is told and its handler aborted', async () => {
      const { client, aborted, started } = slowServer();
      const handlerStarted = firstValueFrom(started);
      const subscription = client.request$('wait').subscribe({
        error: () => expect.fail('an unsubscribed request must not error'),
      });
      const request = await handlerStarted;
      expect(client.pendingCount).to.equal(1);
      subscription.unsubscribe();
      expect(client.pendingCount).to.equal(0);
      await settle();
      expect(aborted).to.deep.equal([request.id]);
      await client.close();
    });

    it('AbortSignal: rejects at once with RequestCancelledError and cancels on the peer', async () => {
      const { client, server, aborted, started } = slowServer();
      const handlerStarted = firstValueFrom(started);
      const controller = new AbortController();
      const check = spySignal(controller.signal);
      const answer = client.request('wait', [], { signal: controller.signal });
      await handlerStarted;
      controller.abort();
      const error = await answer.catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RequestCancelledError);
      expect(client.pendingCount).to.equal(0);
      check();
      await settle();
      expect(aborted).to.have.length(1);
      expect(server.incomingCount).to.equal(0);
      await client.close();
    });

    it('AbortSignal already aborted: rejects without sending anything', async () => {
      const peer = new RawPeer();
      const client = peer.connection;
      const error = await client
        .request('x', [], { signal: AbortSignal.abort() })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RequestCancelledError);
      expect(client.pendingCount).to.equal(0);
      expect(await peer.drain()).to.deep.equal([]);
      await peer.close();
    });

    it('timeout: rejects with RequestTimeoutError, the peer is told, the timer is gone', async () => {
      const peer = new RawPeer();
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const answer = peer.connection.request('slow', [], { timeout: 500 });
      clock.tick(499);
      expect(peer.connection.pendingCount).to.equal(1);
      clock.tick(1);
      const error = (await answer.catch((e: unknown) => e)) as RequestTimeoutError;
      expect(error).to.be.instanceOf(RequestTimeoutError);
      expect([error.method, error.timeoutMs, error.message]).to.deep.equal([
        'slow',
        500,
        "Request 'slow' timed out after 500 ms",
      ]);
      expect(peer.connection.pendingCount).to.equal(0);
      expect(clock.countTimers()).to.equal(0);
      clock.restore();
      const frames = await peer.drain();
      expect(frames).to.deep.equal([
        { jsonrpc: '2.0', id: 1, method: 'slow', params: [] },
        { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } },
      ]);
      await peer.close();
    });

    it('the connection-wide timeout applies when a call sets none', async () => {
      const peer = new RawPeer({ timeout: 100 });
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const answer = peer.connection.request('slow');
      clock.tick(100);
      expect(await answer.catch((e: unknown) => e)).to.be.instanceOf(RequestTimeoutError);
      clock.restore();
      await peer.close();
    });

    it('close: every pending request rejects with ConnectionClosedError, timers and listeners gone', async () => {
      const peer = new RawPeer();
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const controller = new AbortController();
      const check = spySignal(controller.signal);
      const answers = [
        peer.connection.request('a', [], { timeout: 1000, signal: controller.signal }),
        peer.connection.request('b'),
      ].map((p) => p.catch((e: unknown) => e));
      await peer.close();
      for (const error of await Promise.all(answers)) {
        expect(error).to.be.instanceOf(ConnectionClosedError);
      }
      expect(peer.connection.pendingCount).to.equal(0);
      expect(clock.countTimers()).to.equal(0);
      check();
      clock.restore();
    });

    it('a late answer after a cancel is dropped silently and not answered', async () => {
      const peer = new RawPeer();
      const controller = new AbortController();
      const answer = peer.connection.request('x', [], { signal: controller.signal });
      controller.abort();
      await answer.catch(() => undefined);
      await peer.read(2);
      peer.send('{"jsonrpc":"2.0","id":1,"result":"late"}');
      peer.send('{"jsonrpc":"2.0","id":999,"error":{"code":1,"message":"unknown"}}');
      expect(await peer.drain()).to.deep.equal([]);
      await peer.close();
    });
  });

  describe('after close', () => {
    it('rejects new calls without throwing and never hangs', async () => {
      const { client } = connectionPair();
      await client.close();
      expect(client.closed).to.equal(true);
      expect(await client.request('x').catch((e: unknown) => e)).to.be.instanceOf(
        ConnectionClosedError,
      );
      expect(await client.notify('x').catch((e: unknown) => e)).to.be.instanceOf(
        ConnectionClosedError,
      );
      const viaObservable = await firstValueFrom(client.request$('x')).catch((e: unknown) => e);
      expect(viaObservable).to.be.instanceOf(ConnectionClosedError);
    });

    it('closing one side closes the other: requests$ completes, handlers abort, closed$ tells why', async () => {
      const { client, server } = connectionPair();
      const aborted: boolean[] = [];
      server.serve({
        hang: (_params, { signal }) => {
          signal.addEventListener('abort', () => aborted.push(true));
          return NEVER;
        },
      });
      let completed = false;
      server.requests$.subscribe({ complete: () => (completed = true) });
      const pending = client.request('hang').catch((e: unknown) => e);
      await settle();
      expect(server.incomingCount).to.equal(1);
      await client.close();
      expect(await pending).to.be.instanceOf(ConnectionClosedError);
      expect(await firstValueFrom(client.closed$)).to.deep.equal({ reason: 'local' });
      expect(await firstValueFrom(server.closed$)).to.deep.equal({ reason: 'remote' });
      expect([completed, aborted, server.closed, server.incomingCount]).to.deep.equal([
        true,
        [true],
        true,
        0,
      ]);
    });

    it('a transport error closes with reason error and the cause on pending rejections', async () => {
      const wire = new Subject<Uint8Array>();
      const transport = Object.assign(wire.asObservable(), {
        next: () => undefined,
        error: () => undefined,
        complete: () => undefined,
      });
      const connection = new JsonRpcConnection(transport);
      const pending = connection.request('x').catch((e: unknown) => e);
      const cause = new Error('socket reset');
      wire.error(cause);
      const error = (await pending) as ConnectionClosedError;
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(error.cause).to.equal(cause);
      expect(await firstValueFrom(connection.closed$)).to.deep.equal({
        reason: 'error',
        error: cause,
      });
    });
  });

  describe('limits', () => {
    it('maxPendingRequests refuses the request past the limit', async () => {
      const peer = new RawPeer({ maxPendingRequests: 2 });
      const first = [peer.connection.request('a'), peer.connection.request('b')].map((p) =>
        p.catch((e: unknown) => e),
      );
      const error = (await peer.connection.request('c').catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(TooManyPendingRequestsError);
      expect(error.message).to.equal(
        'Too many pending requests: the limit is 2 (option maxPendingRequests)',
      );
      await peer.close();
      await Promise.all(first);
    });

    it('keeps 100,000 requests in flight by default', async () => {
      const peer = new RawPeer();
      const answers = Array.from({ length: 100_000 }, (_, i) =>
        peer.connection.request('n', [i]).catch((e: unknown) => e),
      );
      expect(peer.connection.pendingCount).to.equal(100_000);
      await peer.close();
      const errors = await Promise.all(answers);
      expect(errors.every((e) => e instanceof ConnectionClosedError)).to.equal(true);
    });

    it('maxIncomingRequests answers -32000 past the limit', async () => {
      const peer = new RawPeer({ maxIncomingRequests: 1 });
      peer.connection.requests$.subscribe(() => undefined);
      peer.send('{"jsonrpc":"2.0","id":1,"method":"a"}');
      peer.send('{"jsonrpc":"2.0","id":2,"method":"b"}');
      expect(await peer.read()).to.deep.equal([
        {
          jsonrpc: '2.0',
          id: 2,
          error: {
            code: -32000,
            message: 'Too many concurrent requests',
            data: { maxIncomingRequests: 1 },
          },
        },
      ]);
      await peer.close();
    });
  });

  describe('requests$ and notifications$', () => {
    it('emits requests and notifications in order; notifications$ only the latter', async () => {
      const { client, server } = connectionPair();
      const calls = collect(server.requests$, 3);
      const notes = collect(server.notifications$, 2);
      await client.notify('one', [1]);
      const answer = client.request('two', { x: 2 }).catch((e: unknown) => e);
      await client.notify('three');
      const seen = await calls;
      expect(seen.map((c) => [c.method, c.id])).to.deep.equal([
        ['one', undefined],
        ['two', 1],
        ['three', undefined],
      ]);
      expect((await notes).map((n) => n.method)).to.deep.equal(['one', 'three']);
      await server.replyWithResult(seen[1]!, 'done');
      expect(await answer).to.equal('done');
      await client.close();
    });

    it('answers -32601 when nobody listens for requests, instead of leaving the peer hanging', async () => {
      const { client } = connectionPair();
      expect(await client.request('anything').catch((e: unknown) => e)).to.be.instanceOf(
        MethodNotFoundError,
      );
      await client.close();
    });

    it('survives a subscriber that throws: the request gets -32603 and the next one works', async () => {
      const errors: unknown[] = [];
      const { client, server } = connectionPair({ onError: (error) => errors.push(error) });
      let calls = 0;
      server.requests$.subscribe((request) => {
        if (calls++ === 0) throw new Error('subscriber bug');
        void server.replyWithResult(request, 'ok');
      });
      const error = (await client.request('a').catch((e: unknown) => e)) as JsonRpcError;
      expect([error.code, error.message]).to.deep.equal([-32603, 'Internal error']);
      expect(await client.request('b')).to.equal('ok');
      expect(errors.map((e) => (e as Error).message)).to.deep.equal(['subscriber bug']);
      await client.close();
    });

    it('replies once: a second reply, or a reply to a notification, sends nothing', async () => {
      const peer = new RawPeer();
      const calls = collect(peer.connection.requests$, 2);
      peer.send('{"jsonrpc":"2.0","id":7,"method":"a"}');
      peer.send('{"jsonrpc":"2.0","method":"note"}');
      const [request, notification] = await calls;
      await peer.connection.replyWithResult(request!, 1);
      await peer.connection.replyWithError(request!, { code: 5, message: 'again' });
      await peer.connection.replyWithResult(notification!, 2);
      expect(await peer.drain()).to.deep.equal([{ jsonrpc: '2.0', id: 7, result: 1 }]);
      await peer.close();
    });

    it('an incoming cancel aborts signalOf(request) and answers -32800', async () => {
      const peer = new RawPeer();
      const calls = collect(peer.connection.requests$, 1);
      peer.send('{"jsonrpc":"2.0","id":"r1","method":"a"}');
      const [request] = await calls;
      const signal = peer.connection.signalOf(request!);
      expect(signal.aborted).to.equal(false);
      peer.send('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"r1"}}');
      expect(await peer.read()).to.deep.equal([
        { jsonrpc: '2.0', id: 'r1', error: { code: -32800, message: 'Request cancelled' } },
      ]);
      expect(signal.aborted).to.equal(true);
      await peer.connection.replyWithResult(request!, 'too late');
      expect(await peer.drain()).to.deep.equal([]);
      await peer.close();
    });

    it('MCP-style cancellation: another method and id field, and no answer', async () => {
      const peer = new RawPeer({
        cancellation: { method: 'notifications/cancelled', idField: 'requestId', answer: false },
      });
      const calls = collect(peer.connection.requests$, 1);
      peer.send('{"jsonrpc":"2.0","id":3,"method":"tools/call"}');
      const [request] = await calls;
      peer.send('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}');
      await settle();
      expect(peer.connection.signalOf(request!).aborted).to.equal(true);
      expect(peer.connection.incomingCount).to.equal(0);
      const outgoing = peer.connection
        .request('ping', [], { signal: AbortSignal.timeout(1) })
        .catch((e: unknown) => e);
      expect(await outgoing).to.be.instanceOf(RequestCancelledError);
      expect(await peer.drain()).to.deep.equal([
        { jsonrpc: '2.0', id: 1, method: 'ping', params: [] },
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      ]);
      await peer.close();
    });

    it('a batch member cancelled without an answer does not hold back the rest of the batch', async () => {
      const peer = new RawPeer({ cancellation: { answer: false } });
      peer.connection.serve({ slow: () => NEVER, known: () => 1 });
      peer.send(
        '[{"jsonrpc":"2.0","method":"slow","id":1},{"jsonrpc":"2.0","method":"known","id":2}]',
      );
      await settle();
      peer.send('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}');
      expect(await peer.read()).to.deep.equal([[{ jsonrpc: '2.0', id: 2, result: 1 }]]);
      await peer.close();
    });

    it('cancellation: false neither sends cancels nor consumes them', async () => {
      const peer = new RawPeer({ cancellation: false });
      const notes = collect(peer.connection.notifications$, 1);
      const controller = new AbortController();
      const answer = peer.connection.request('x', [], { signal: controller.signal });
      controller.abort();
      await answer.catch(() => undefined);
      peer.send('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}');
      expect((await notes)[0]?.method).to.equal('$/cancelRequest');
      expect(await peer.drain()).to.have.length(1);
      await peer.close();
    });
  });

  describe('batch()', () => {
    it('sends one frame and settles each call from the array answer', async () => {
      const peer = new RawPeer();
      const [a, b] = peer.connection.batch((batch) => {
        const calls = [batch.request('sum', [1, 2]), batch.request('fail')];
        batch.notify('log', ['hi']);
        return calls;
      });
      expect(await peer.read()).to.deep.equal([
        [
          { jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2] },
          { jsonrpc: '2.0', id: 2, method: 'fail' },
          { jsonrpc: '2.0', method: 'log', params: ['hi'] },
        ],
      ]);
      peer.send(
        '[{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found"}},{"jsonrpc":"2.0","id":1,"result":3}]',
      );
      expect(await a).to.equal(3);
      expect(await b!.catch((e: unknown) => e)).to.be.instanceOf(MethodNotFoundError);
      await peer.close();
    });

    it('the builder refuses calls after the batch was sent', async () => {
      const { client } = connectionPair();
      let kept: { notify(method: string): void } | undefined;
      client.batch((batch) => (kept = batch));
      expect(() => kept!.notify('late')).to.throw(
        Error,
        'This batch was already sent: call the builder inside batch()',
      );
      await client.close();
    });
  });
});
