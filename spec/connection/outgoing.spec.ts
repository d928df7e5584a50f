/**
 * Our outgoing requests through the public API (lib/connection/outgoing.ts): request()
 * answered, rejected and correlated by id, and the five exits of a request (answer,
 * unsubscribe, AbortSignal, timeout, close), each leaving no entry, timer or listener behind.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { firstValueFrom, Subject } from 'rxjs';
import {
  ConnectionClosedError,
  InvalidParamsError,
  JsonRpcError,
  MethodNotFoundError,
  RequestCancelledError,
  RequestTimeoutError,
  type JsonRpcCall,
} from '../../lib/index.js';
import { connectionPair, RawPeer, settle } from '../helpers/pair.js';

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
});

describe('request(): one promise per call', () => {
  it('settles each of many calls made in one turn with its own answer', async () => {
    const { client, server } = connectionPair();
    server.serve({
      double: (params) => {
        const [n] = params as [number];
        if (n % 3 === 0) throw new InvalidParamsError(`${n} is a multiple of three`);
        return 2 * n;
      },
    });
    const calls = Array.from({ length: 100 }, (_, n) =>
      client.request('double', [n]).then(
        (result) => result,
        (error: unknown) => (error as Error).message,
      ),
    );
    const expected = Array.from({ length: 100 }, (_, n) =>
      n % 3 === 0 ? `${n} is a multiple of three` : 2 * n,
    );
    expect(await Promise.all(calls)).to.deep.equal(expected);
    expect(client.pendingCount).to.equal(0);
    await client.close();
  });

  it('rejects, and does not throw, for an invalid per-call timeout; nothing is left pending', async () => {
    const { client, server } = connectionPair();
    server.serve({ echo: (params) => params });
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = client.request('echo', [1], { timeout: -1 }))).not.to.throw();
    const error = await promise!.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message).to.equal(
      'The "timeout" option must be between 0 and 2147483647 milliseconds, got -1',
    );
    expect(client.pendingCount).to.equal(0);
    expect(await client.request('echo', [2])).to.deep.equal([2]);
    await client.close();
  });
});
