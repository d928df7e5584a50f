/**
 * The receiving side through the public API (lib/connection/inbound.ts): requests$ and
 * notifications$, the answer when nobody listens or a subscriber throws, replies sent once,
 * and incoming cancels (ours, MCP-style, inside a batch, or none).
 */
import { expect } from 'chai';
import { NEVER } from 'rxjs';
import { MethodNotFoundError, RequestCancelledError, type JsonRpcError } from '../../lib/index.js';
import { collect, connectionPair, RawPeer, settle } from '../helpers/pair.js';

describe('JsonRpcConnection', () => {
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
});
