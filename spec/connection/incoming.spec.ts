import { expect } from 'chai';
import type { JsonRpcCall } from '../../lib/index.js';
import { RawPeer, settle } from '../helpers/pair.js';

type Answer = { id: unknown; result?: unknown; error?: { code: number } };

const request = (id: unknown, method = 'm'): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method });

describe('the peer’s unanswered requests', () => {
  it('answers each request once, by its own id, whatever the ids and the order', async () => {
    const peer = new RawPeer();
    const calls: JsonRpcCall[] = [];
    peer.connection.requests$.subscribe((call) => calls.push(call));
    // Integers in a scrambled order, and ids of every other kind JSON-RPC allows.
    const numbers = Array.from({ length: 300 }, (_, i) => (i * 7919) % 300);
    const ids: unknown[] = [...numbers, 'a', '7', -5, 1.5, 2 ** 40, null, 0.1];
    for (const id of ids) peer.send(request(id));
    await settle();
    expect(peer.connection.incomingCount).to.equal(ids.length);
    for (const call of [...calls].reverse()) await peer.connection.replyWithResult(call, call.id);
    const answers = (await peer.read(ids.length)) as Answer[];
    expect(answers.map((answer) => answer.id)).to.deep.equal([...ids].reverse());
    expect(answers.every((answer) => answer.result === answer.id)).to.equal(true);
    expect(peer.connection.incomingCount).to.equal(0);
    await peer.close();
  });

  it('answers a reused id twice, each request its own answer; a cancel names the latest', async () => {
    const peer = new RawPeer();
    const calls: JsonRpcCall[] = [];
    peer.connection.requests$.subscribe((call) => calls.push(call));
    peer.send(request(7, 'first'));
    peer.send(request(7, 'second'));
    peer.send(request('x', 'first'));
    peer.send(request('x', 'second'));
    await settle();
    peer.send(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 7 } }));
    await settle();
    expect(peer.connection.signalOf(calls[1]!).aborted).to.equal(true);
    expect(peer.connection.signalOf(calls[0]!).aborted).to.equal(false);
    for (const call of [calls[0]!, calls[3]!, calls[2]!]) {
      await peer.connection.replyWithResult(call, call.method);
    }
    expect(await peer.read(4)).to.deep.equal([
      { jsonrpc: '2.0', id: 7, error: { code: -32800, message: 'Request cancelled' } },
      { jsonrpc: '2.0', id: 7, result: 'first' },
      { jsonrpc: '2.0', id: 'x', result: 'second' },
      { jsonrpc: '2.0', id: 'x', result: 'first' },
    ]);
    expect(peer.connection.incomingCount).to.equal(0);
    await peer.close();
  });

  it('finds each of 40,000 requests reusing one id in O(1) when it is answered', async () => {
    const peer = new RawPeer();
    const calls: JsonRpcCall[] = [];
    peer.connection.requests$.subscribe((call) => calls.push(call));
    for (let i = 0; i < 40_000; i++) peer.send(request(1, `m${i}`));
    await settle();
    expect(peer.connection.incomingCount).to.equal(40_000);
    const start = performance.now();
    // Newest first: each answer looks among the older requests that share the id.
    for (const call of [...calls].reverse()) {
      void peer.connection.replyWithResult(call, call.method);
    }
    const elapsedMs = performance.now() - start;
    const answers = (await peer.read(40_000)) as Answer[];
    expect(answers[39_999]).to.deep.include({ id: 1, result: 'm0' });
    expect(peer.connection.incomingCount).to.equal(0);
    // A guard against a scan per answer (seconds), not a performance figure.
    expect(elapsedMs).to.be.below(1_000);
    await peer.close();
  });

  it('keeps a long-pending request answerable while thousands come and go', async () => {
    const peer = new RawPeer();
    let first: JsonRpcCall | undefined;
    peer.connection.requests$.subscribe((call) => {
      if (call.id === 0) first = call;
      else void peer.connection.replyWithResult(call, 'quick');
    });
    peer.send(request(0));
    for (let id = 1; id <= 5000; id++) peer.send(request(id));
    await settle();
    const quick = (await peer.read(5000)) as Answer[];
    expect(quick.every((answer, i) => answer.id === i + 1)).to.equal(true);
    expect(peer.connection.incomingCount).to.equal(1);
    await peer.connection.replyWithResult(first!, 'slow');
    expect(await peer.read(1)).to.deep.equal([{ jsonrpc: '2.0', id: 0, result: 'slow' }]);
    await peer.close();
  });

  it('cancels every unanswered request when the connection closes', async () => {
    const peer = new RawPeer();
    const calls: JsonRpcCall[] = [];
    peer.connection.requests$.subscribe((call) => calls.push(call));
    for (const id of [1, 2, 'three']) peer.send(request(id));
    await settle();
    const signals = calls.map((call) => peer.connection.signalOf(call));
    await peer.close();
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([true, true, true]);
    expect(peer.connection.incomingCount).to.equal(0);
  });
});
