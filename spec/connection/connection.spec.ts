/**
 * JsonRpcConnection as a whole: its role and options, and its limits on calls in flight.
 * What a close leaves behind is in link.spec.ts.
 */
import { expect } from 'chai';
import {
  ConnectionClosedError,
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  TooManyPendingRequestsError,
} from '../../lib/index.js';
import { RawPeer } from '../helpers/pair.js';

describe('JsonRpcConnection', () => {
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
});
