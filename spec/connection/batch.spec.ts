/**
 * connection.batch(): one frame sent and each call settled from the array answer, a builder
 * that refuses calls once sent; what is sent when a member is aborted while the batch is built
 * or waits for a link, when the build callback throws, and when too many calls wait.
 */
import { expect } from 'chai';
import {
  ConnectionClosedError,
  MethodNotFoundError,
  RequestCancelledError,
  type JsonRpcConnection,
} from '../../lib/index.js';
import { connectionPair, RawPeer, settle } from '../helpers/pair.js';
import { relinkedPair, until } from '../helpers/relink.js';

function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => error,
  );
}

describe('connection.batch()', () => {
  describe('one frame, one answer per call', () => {
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

  describe('while it is built', () => {
    let peer: RawPeer;
    beforeEach(() => (peer = new RawPeer()));
    afterEach(() => peer.close());

    it('leaves out a member aborted inside build: no cancel, no request, the rest sent', async () => {
      const controller = new AbortController();
      const [aborted, kept] = peer.connection.batch((b) => {
        const calls = [b.request('a', [], { signal: controller.signal }), b.request('b')];
        controller.abort();
        b.notify('n');
        return calls;
      });
      expect(await outcome(aborted!)).to.be.instanceOf(RequestCancelledError);
      const frames = await peer.drain();
      expect(frames).to.have.lengthOf(1);
      const batch = frames[0] as { method: string }[];
      expect(batch.map((call) => call.method)).to.deep.equal(['b', 'n']);
      expect(peer.connection.pendingCount).to.equal(1);
      const { id } = batch[0] as unknown as { id: number };
      peer.send(JSON.stringify({ jsonrpc: '2.0', id, result: 'B' }));
      expect(await kept).to.equal('B');
    });

    it('sends nothing when every member is aborted inside build', async () => {
      const controller = new AbortController();
      const call = peer.connection.batch((b) => {
        const promise = b.request('a', [], { signal: controller.signal });
        controller.abort();
        return promise;
      });
      expect(await outcome(call)).to.be.instanceOf(RequestCancelledError);
      expect(await peer.drain()).to.deep.equal([]);
    });

    it('a throwing build leaves nothing behind: nothing sent, every promise rejected, the error rethrown', async () => {
      const made: Promise<unknown>[] = [];
      const bug = new Error('build bug');
      expect(() =>
        peer.connection.batch((b) => {
          made.push(b.request('a'), b.request('b', [], { timeout: 50 }));
          b.notify('n');
          throw bug;
        }),
      ).to.throw(bug);
      expect(peer.connection.pendingCount).to.equal(0);
      for (const promise of made) {
        const error = await outcome(promise);
        expect(error).to.be.instanceOf(RequestCancelledError);
        expect((error as Error).message).to.equal('Not sent: the batch() callback threw');
      }
      expect(await peer.drain()).to.deep.equal([]);
      // The connection goes on.
      void peer.connection.notify('after');
      expect(await peer.drain()).to.deep.equal([{ jsonrpc: '2.0', method: 'after' }]);
    });
  });

  describe('while the link is down', () => {
    const seen = { calls: [] as string[] };
    const serve = (server: JsonRpcConnection): void => {
      server.serve({
        echo: (params) => {
          seen.calls.push(`echo ${JSON.stringify(params)}`);
          return params;
        },
        note: (params) => void seen.calls.push(`note ${JSON.stringify(params)}`),
      });
    };
    let pair: ReturnType<typeof relinkedPair>;
    let errors: unknown[];

    async function offline(maxWaitingCalls?: number): Promise<void> {
      seen.calls = [];
      errors = [];
      pair = relinkedPair(serve, {
        client: { maxWaitingCalls, onError: (error) => void errors.push(error) },
      });
      await until(() => pair.client.state === 'open', 'the first link');
      pair.state.refusal = new Error('server down');
      await pair.drop();
      await until(() => pair.client.state === 'reconnecting', 'the drop');
    }

    async function online(): Promise<void> {
      pair.state.refusal = undefined;
      await until(() => pair.client.state === 'open', 'a new link');
      await settle();
      await settle();
    }

    afterEach(() => pair.client.close());

    it('a member aborted while waiting is never sent; the rest of its batch is', async () => {
      await offline();
      const controller = new AbortController();
      const [aborted, kept] = pair.client.batch((b) => [
        b.request('echo', ['aborted'], { signal: controller.signal }),
        b.request('echo', ['kept']),
      ]);
      controller.abort();
      expect(await outcome(aborted)).to.be.instanceOf(RequestCancelledError);
      await online();
      expect(await kept).to.deep.equal(['kept']);
      expect(seen.calls).to.deep.equal(['echo ["kept"]']);
    });

    it('a notification outlives its batch mate aborted while waiting', async () => {
      await offline();
      const controller = new AbortController();
      const aborted = pair.client.batch((b) => {
        const call = b.request('echo', ['aborted'], { signal: controller.signal });
        b.notify('note', ['kept']);
        return call;
      });
      controller.abort();
      expect(await outcome(aborted)).to.be.instanceOf(RequestCancelledError);
      await online();
      await until(() => seen.calls.length === 1, 'the notification');
      expect(seen.calls).to.deep.equal(['note ["kept"]']);
    });

    it('maxWaitingCalls counts every call of a batch: past it the batch is refused whole', async () => {
      await offline(10);
      // Twenty notifications: refused whole, reported to onError (they have no promise).
      pair.client.batch((b) => {
        for (let i = 0; i < 20; i++) b.notify('note', [i]);
      });
      expect(errors).to.have.lengthOf(1);
      expect(errors[0]).to.be.instanceOf(ConnectionClosedError);
      expect((errors[0] as Error).message).to.equal(
        'Not connected: a batch of 20 calls would pass the 10 that may wait for the link (option maxWaitingCalls)',
      );
      // Eight calls wait; a batch of three does not fit and rejects its requests.
      const waiting = Array.from({ length: 8 }, (_, i) => pair.client.request('echo', [i]));
      const refused = pair.client.batch((b) => [
        b.request('echo', ['x']),
        b.request('echo', ['y']),
        b.notify('note', ['z']),
      ]);
      for (const call of refused.slice(0, 2)) {
        const error = await outcome(call!);
        expect(error).to.be.instanceOf(ConnectionClosedError);
        expect((error as Error).message).to.contain('option maxWaitingCalls');
      }
      expect(errors).to.have.lengthOf(2);
      // A batch of two fits.
      const fits = pair.client.batch((b) => [b.request('echo', ['fits']), b.notify('note', [0])]);
      expect(pair.client.pendingCount).to.equal(9);
      await online();
      expect(await Promise.all(waiting)).to.have.lengthOf(8);
      expect(await fits[0]).to.deep.equal(['fits']);
      await until(() => seen.calls.length === 10, 'the calls that waited');
      expect(seen.calls.filter((call) => call.startsWith('note'))).to.deep.equal(['note [0]']);
    });
  });
});
