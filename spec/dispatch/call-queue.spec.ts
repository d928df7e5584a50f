/**
 * The queue of serve({ concurrency }): bounded, O(1) at every step, drained without recursion,
 * and left at once by a call the peer cancels.
 */
import { expect } from 'chai';
import {
  DEFAULT_MAX_QUEUED_NOTIFICATIONS,
  RequestCancelledError,
  type JsonRpcCall,
} from '../../lib/index.js';
import { connectionPair, RawPeer, settle } from '../helpers/pair.js';

/** A handler that waits until `release()` is called. */
function gate(): { wait: () => Promise<string>; release: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened.then(() => 'slow'), release: () => open() };
}

const request = (id: number, method: string): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method });
const cancel = (id: number): string =>
  JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });
const notification = (method: string, params: unknown): string =>
  JSON.stringify({ jsonrpc: '2.0', method, params });

describe('serve({ concurrency }) queue', () => {
  it('drains 10,000 calls that answer at once behind slow ones without deepening the stack', async () => {
    const { client, server } = connectionPair();
    const slow = gate();
    server.serve({ slow: slow.wait, fast: (params) => params }, { concurrency: 4 });
    const slowCalls = Array.from({ length: 4 }, () => client.request('slow'));
    const fastCalls = Array.from({ length: 10_000 }, (_, i) => client.request('fast', [i]));
    await settle();
    expect(server.incomingCount).to.equal(10_004);
    slow.release();
    const answers = await Promise.all(fastCalls);
    expect(answers[9_999]).to.deep.equal([9_999]);
    expect(await Promise.all(slowCalls)).to.deep.equal(['slow', 'slow', 'slow', 'slow']);
    expect(server.incomingCount).to.equal(0);
    await client.close();
  });

  it('bounds waiting notifications by maxQueuedNotifications: the rest are dropped and reported', async () => {
    const errors: [unknown, JsonRpcCall | undefined][] = [];
    const peer = new RawPeer({ onError: (error, call) => errors.push([error, call]) });
    const slow = gate();
    const seen: unknown[] = [];
    peer.connection.serve(
      { slow: slow.wait, note: (params) => void seen.push(params) },
      { concurrency: 1, maxQueuedNotifications: 10 },
    );
    peer.send(request(1, 'slow'));
    for (let i = 0; i < 15; i++) peer.send(notification('note', [i]));
    await settle();
    // A flood is reported once, not per notification.
    expect(errors).to.have.lengthOf(1);
    const [error, call] = errors[0]!;
    expect((error as Error).message).to.equal(
      'Notification "note" dropped: 10 notifications already wait for a handler (maxQueuedNotifications); further drops are counted until one is queued again',
    );
    expect(call).to.deep.include({ method: 'note', params: [10] });
    slow.release();
    expect(await peer.read(1)).to.deep.equal([{ jsonrpc: '2.0', id: 1, result: 'slow' }]);
    await settle();
    expect(seen).to.deep.equal(Array.from({ length: 10 }, (_, i) => [i]));
    // The next notification queued tells how many more were dropped.
    peer.send(request(2, 'slow'));
    peer.send(notification('note', ['after']));
    await settle();
    expect(errors).to.have.lengthOf(2);
    expect((errors[1]![0] as Error).message).to.equal(
      '4 more notifications dropped: 10 waited for a handler (maxQueuedNotifications)',
    );
    await peer.close();
  });

  it('a queued request the peer cancels leaves the queue at once and never runs', async () => {
    const peer = new RawPeer({ maxIncomingRequests: 10 });
    const slow = gate();
    let ran = 0;
    peer.connection.serve(
      {
        slow: slow.wait,
        work: () => {
          ran++;
          return 'done';
        },
      },
      { concurrency: 1 },
    );
    peer.send(request(1, 'slow'));
    // Far more request-and-cancel pairs than maxIncomingRequests: none is refused as too many.
    for (let id = 2; id < 1_002; id++) {
      peer.send(request(id, 'work'));
      peer.send(cancel(id));
    }
    const answers = (await peer.read(1_000)) as { id: number; error?: { code: number } }[];
    expect(answers.every((answer) => answer.error?.code === -32800)).to.equal(true);
    expect(peer.connection.incomingCount).to.equal(1);
    slow.release();
    expect(await peer.read(1)).to.deep.equal([{ jsonrpc: '2.0', id: 1, result: 'slow' }]);
    await settle();
    expect(ran).to.equal(0);
    await peer.close();
  });

  it('unsubscribing serve() cancels the queued calls: none runs later', async () => {
    const { client, server } = connectionPair();
    const slow = gate();
    let ran = 0;
    const subscription = server.serve(
      {
        slow: slow.wait,
        work: () => ++ran,
      },
      { concurrency: 1 },
    );
    const calls = [client.request('slow'), client.request('work'), client.request('work')];
    await settle();
    subscription.unsubscribe();
    for (const call of calls) {
      const error = await call.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(RequestCancelledError);
    }
    slow.release();
    await settle();
    expect(ran).to.equal(0);
    await client.close();
  });

  it('takes from the queue in O(1): 50,000 queued notifications drain in well under a second', async () => {
    const peer = new RawPeer();
    const slow = gate();
    let handled = 0;
    peer.connection.serve(
      { slow: slow.wait, note: () => void handled++ },
      { concurrency: 1, maxQueuedNotifications: 50_000 },
    );
    peer.send(request(1, 'slow'));
    for (let i = 0; i < 50_000; i++) peer.send(notification('note', [i]));
    await settle();
    const start = performance.now();
    slow.release();
    await peer.read(1);
    await settle();
    const elapsedMs = performance.now() - start;
    expect(handled).to.equal(50_000);
    // A guard against quadratic draining (tens of seconds), not a performance figure.
    expect(elapsedMs).to.be.below(1_000);
    await peer.close();
  });

  it('validates maxQueuedNotifications', async () => {
    expect(DEFAULT_MAX_QUEUED_NOTIFICATIONS).to.equal(10_000);
    const { client, server } = connectionPair();
    expect(() => server.serve({}, { maxQueuedNotifications: -1 })).to.throw(
      RangeError,
      'The "maxQueuedNotifications" option must be a positive integer, got -1',
    );
    await client.close();
  });
});
