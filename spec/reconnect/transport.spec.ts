/**
 * A connection over a ReconnectingTransport (memory links): what a lost link does to calls,
 * to remote Observables and to the connection's streams, and what ends it for good.
 */
import { expect } from 'chai';
import { feedMethods } from '../helpers/feed-methods.js';
import { concat, from, NEVER, Subject } from 'rxjs';
import {
  ConnectionClosedError,
  createMemoryTransportPair,
  JsonRpcConnection,
  ReconnectingTransport,
  RequestTimeoutError,
  stream,
  type JsonRpcConnectionState,
  type Transport,
} from '../../lib/index.js';
import { connectionPair, settle } from '../helpers/pair.js';
import { relinkedPair, until } from '../helpers/relink.js';

/** What every "restarted server" serves, and counters shared by all of them. */
function world() {
  const feed = new Subject<number>();
  const history = [1, 2, 3, 4, 5].map((seq) => ({ seq }));
  const counts = { hang: 0, live: 0, subscribes: 0, lastEventIds: [] as unknown[] };
  const serve = (server: JsonRpcConnection): void => {
    server.serve({
      ...feedMethods(feed, counts),
      events: stream(
        (_params, { lastEventId }) => {
          counts.lastEventIds.push(lastEventId);
          const from$ = history.filter(
            (e) => lastEventId === undefined || e.seq >= Number(lastEventId),
          );
          return concat(from(from$), NEVER);
        },
        { eventId: (event) => event.seq },
      ),
    });
  };
  return { feed, counts, serve };
}

describe('a connection over a ReconnectingTransport', () => {
  let pair: ReturnType<typeof relinkedPair>;
  let w: ReturnType<typeof world>;
  afterEach(() => pair.client.close());

  function open(options?: Parameters<typeof relinkedPair>[1]) {
    w = world();
    pair = relinkedPair(w.serve, options);
    return pair;
  }

  it("state$: 'connecting', 'open', 'reconnecting', 'open', 'closed', then completes", async () => {
    open();
    const states: JsonRpcConnectionState[] = [];
    let completed = false;
    pair.client.state$.subscribe({
      next: (s) => states.push(s),
      complete: () => (completed = true),
    });
    await until(() => pair.client.state === 'open', 'the first link');
    await pair.drop();
    await until(() => pair.servers.length === 2 && pair.client.state === 'open', 'a new link');
    await pair.client.close();
    expect(states).to.deep.equal(['connecting', 'open', 'reconnecting', 'open', 'closed']);
    expect(completed).to.equal(true);
  });

  it('rejects a request in flight with ConnectionClosedError on a drop, and never re-sends it', async () => {
    open();
    const pending = pair.client.request('hang').catch((e: unknown) => e);
    await until(() => w.counts.hang === 1, 'the request to arrive');
    await pair.drop();
    const error = await pending;
    expect(error)
      .to.be.instanceOf(ConnectionClosedError)
      .with.property('message', 'Connection lost');
    await until(() => pair.client.state === 'open', 'a new link');
    expect(await pair.client.request('echo', ['again'])).to.deep.equal(['again']);
    expect([w.counts.hang, pair.client.pendingCount]).to.deep.equal([1, 0]);
  });

  it('calls made while reconnecting wait for the link, bounded by their timeout', async () => {
    open({ client: { timeout: 0 } });
    await until(() => pair.client.state === 'open', 'the first link');
    pair.state.refusal = new Error('server down');
    await pair.drop();
    await until(() => pair.client.state === 'reconnecting', 'the drop');
    const waiting = pair.client.request('echo', ['waited']);
    const notified = pair.client.notify('echo', ['note']);
    const batched = pair.client.batch((b) => b.request('echo', ['batched']));
    const late = await pair.client
      .request('echo', ['late'], { timeout: 5 })
      .catch((e: unknown) => e);
    expect(late).to.be.instanceOf(RequestTimeoutError);
    pair.state.refusal = undefined;
    expect(await waiting).to.deep.equal(['waited']);
    expect(await batched).to.deep.equal(['batched']);
    await notified;
    expect(pair.client.pendingCount).to.equal(0);
  });

  it('bounds the calls that wait (maxWaitingCalls), or rejects them at once (whileReconnecting)', async () => {
    open({ client: { maxWaitingCalls: 2 } });
    await until(() => pair.client.state === 'open', 'the first link');
    pair.state.refusal = new Error('server down');
    await pair.drop();
    await until(() => pair.client.state === 'reconnecting', 'the drop');
    const kept = [pair.client.request('echo', [1]), pair.client.request('echo', [2])];
    const refused = await pair.client.request('echo', [3]).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ConnectionClosedError);
    expect((refused as Error).message).to.equal(
      'Not connected: 2 calls already wait for the link (option maxWaitingCalls)',
    );
    pair.state.refusal = undefined;
    expect(await Promise.all(kept)).to.deep.equal([[1], [2]]);
    await pair.client.close();

    open({ client: { whileReconnecting: 'reject' } });
    await until(() => pair.client.state === 'open', 'the first link');
    pair.state.refusal = new Error('server down');
    await pair.drop();
    await until(() => pair.client.state === 'reconnecting', 'the drop');
    const rejected = await pair.client.request('echo', [4]).catch((e: unknown) => e);
    expect((rejected as Error).message).to.equal('Not connected: the connection is reconnecting');
    const noted = await pair.client.notify('echo', [5]).catch((e: unknown) => e);
    expect(noted).to.be.instanceOf(ConnectionClosedError);
  });

  it('keeps an observe$ subscription alive across reconnects, mapped to the new server id', async () => {
    open();
    const values: number[] = [];
    const subscription = pair.client.observe$<number>('feed').subscribe((v) => values.push(v));
    await until(() => w.counts.live === 1, 'the first server subscription');
    w.feed.next(1);
    await settle();
    await pair.drop();
    await until(() => w.counts.subscribes === 2 && w.counts.live === 1, 'the resubscription');
    expect(pair.servers[0]!.subscriptionCount).to.equal(0);
    w.feed.next(2);
    await settle();
    expect(values).to.deep.equal([1, 2]);
    expect(pair.server().subscriptionCount).to.equal(1);
    subscription.unsubscribe();
    await until(() => pair.server().subscriptionCount === 0, 'the unsubscribe on the new server');
    expect([w.counts.live, pair.client.observedCount]).to.deep.equal([0, 0]);
  });

  it('a subscription cancelled while offline never comes back', async () => {
    open();
    const subscription = pair.client.observe$('feed').subscribe();
    const fresh = pair.client.observe$('feed');
    await until(() => w.counts.live === 1, 'the server subscription');
    pair.state.refusal = new Error('server down');
    await pair.drop();
    await until(() => pair.client.state === 'reconnecting', 'the drop');
    subscription.unsubscribe();
    const madeOffline = fresh.subscribe();
    madeOffline.unsubscribe();
    pair.state.refusal = undefined;
    await until(() => pair.client.state === 'open', 'a new link');
    await pair.client.request('echo', []); // a round trip after any resubscribe
    expect([w.counts.subscribes, w.counts.live, pair.server().subscriptionCount]).to.deep.equal([
      1, 0, 0,
    ]);
    expect(pair.client.observedCount).to.equal(0);
  });

  it('with resubscribe: false, errors with ConnectionClosedError instead', async () => {
    open();
    const ends: unknown[] = [];
    pair.client
      .observe$('feed', undefined, { resubscribe: false })
      .subscribe({ error: (e) => ends.push(e) });
    await until(() => w.counts.live === 1, 'the server subscription');
    await pair.drop();
    await until(() => ends.length === 1, 'the error');
    expect(ends[0]).to.be.instanceOf(ConnectionClosedError);
    await until(() => pair.client.state === 'open', 'a new link');
    expect(w.counts.subscribes).to.equal(1);
  });

  it('resumes from the last event id and drops the repeated one', async () => {
    open();
    const seqs: number[] = [];
    pair.client
      .observe$<{ seq: number }>('events', {}, { resume: true })
      .subscribe({ next: (e) => seqs.push(e.seq), error: () => undefined });
    await until(() => seqs.length === 5, 'the first five events');
    await pair.drop();
    await until(() => w.counts.lastEventIds.length === 2, 'the resubscription');
    await settle();
    expect(w.counts.lastEventIds).to.deep.equal([undefined, 5]);
    expect(seqs).to.deep.equal([1, 2, 3, 4, 5]); // 5 came again, and was dropped
  });

  it('requests$ and notifications$ flow across reconnects and complete only on the final close', async () => {
    open();
    const notes: unknown[] = [];
    let completed = 0;
    pair.client.notifications$.subscribe({
      next: (n) => notes.push(n.params),
      complete: () => completed++,
    });
    pair.client.requests$.subscribe({ complete: () => completed++ });
    await until(() => pair.client.state === 'open', 'the first link');
    await pair.server().notify('tick', [1]);
    await pair.drop();
    await until(() => pair.servers.length === 2 && pair.client.state === 'open', 'a new link');
    await pair.server().notify('tick', [2]);
    await until(() => notes.length === 2, 'both notifications');
    expect([notes, completed]).to.deep.equal([[[1], [2]], 0]);
    await pair.client.close();
    expect(completed).to.equal(2);
  });

  it('ends for good on a final end, or after `attempts` failures in a row', async () => {
    open();
    await until(() => pair.client.state === 'open', 'the first link');
    pair.state.isFinal = () => true;
    await pair.drop();
    await until(() => pair.client.closed, 'the final close');
    expect(pair.servers).to.have.lengthOf(1);

    open({ transport: { attempts: 3 } });
    await until(() => pair.client.state === 'open', 'the first link');
    const reasons: unknown[] = [];
    pair.client.closed$.subscribe((event) => reasons.push(event));
    const refusal = new Error('server down');
    pair.state.refusal = refusal;
    await pair.drop();
    await until(() => pair.client.closed, 'giving up');
    expect(pair.opens).to.have.lengthOf(4); // the first link, then 3 failed attempts
    expect(reasons).to.deep.equal([{ reason: 'error', error: refusal }]);
  });

  it('close() while reconnecting stops every attempt', async () => {
    open({ transport: { delayMs: 30, maxDelayMs: 30 } });
    await until(() => pair.client.state === 'open', 'the first link');
    await pair.drop();
    await until(() => pair.client.state === 'reconnecting', 'the drop');
    await pair.client.close();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect([pair.opens.length, pair.client.state]).to.deep.equal([1, 'closed']);
  });
});

describe('connection state and waiting options', () => {
  it("a plain connection's state$ is 'open', then 'closed'", async () => {
    const plain = connectionPair();
    const states: JsonRpcConnectionState[] = [];
    plain.client.state$.subscribe((state) => states.push(state));
    await plain.server.close();
    await settle();
    expect([states, plain.client.state]).to.deep.equal([['open', 'closed'], 'closed']);
  });

  it('validates its options loudly', () => {
    const [a] = createMemoryTransportPair();
    expect(
      () => new JsonRpcConnection(a, undefined, { whileReconnecting: 'queue' as never }),
    ).to.throw(TypeError, `The "whileReconnecting" option must be 'wait' or 'reject', got queue`);
    expect(() => new JsonRpcConnection(a, undefined, { maxWaitingCalls: 0 })).to.throw(
      RangeError,
      'The "maxWaitingCalls" option must be a positive integer, got 0',
    );
    expect(() => new JsonRpcConnection(a, undefined, { maxEarlyNotifications: 1.5 })).to.throw(
      RangeError,
      'The "maxEarlyNotifications" option must be a positive integer, got 1.5',
    );
    expect(
      () => new ReconnectingTransport(() => Promise.reject(new Error('x')), { delayMs: -5 }),
    ).to.throw(
      RangeError,
      'The "reconnect.delayMs" option must be between 0 and 2147483647 milliseconds, got -5',
    );
    a.complete();
  });
});

describe('ReconnectingTransport', () => {
  it('listens to its initial link once it has a subscriber: nothing the link sent before is lost', async () => {
    const [link, peer] = createMemoryTransportPair();
    const transport = new ReconnectingTransport(() => Promise.reject(new Error('no more links')), {
      initial: link,
    });
    peer.next(new TextEncoder().encode('"early"'));
    await settle();
    const frames: unknown[] = [];
    const subscription = transport.subscribe({ next: (frame) => frames.push(frame) });
    peer.next(new TextEncoder().encode('"later"'));
    await settle();
    expect(frames.map((frame) => new TextDecoder().decode(frame as Uint8Array))).to.deep.equal([
      '"early"',
      '"later"',
    ]);
    subscription.unsubscribe();
    transport.complete();
  });

  it('counts an opening that throws, resolves with no transport, or whose subscribe throws as failed: retried, never unhandled', async () => {
    const [link, peer] = createMemoryTransportPair();
    const server = new JsonRpcConnection(peer);
    server.serve({ echo: (params) => params });
    const broken = (): Transport =>
      Object.assign(new Subject<Uint8Array | string>(), {
        subscribe: () => {
          throw new Error('subscribe threw');
        },
      });
    const openings: (() => Promise<Transport>)[] = [
      () => {
        throw new Error('open threw');
      },
      () => Promise.resolve({} as Transport),
      () => Promise.resolve(broken()),
      () => Promise.resolve(link),
    ];
    let opened = 0;
    const transport = new ReconnectingTransport(() => openings[opened++]!(), {
      delayMs: 1,
      maxDelayMs: 2,
    });
    const client = new JsonRpcConnection(transport);
    expect(await client.request('echo', [1])).to.deep.equal([1]);
    expect([opened, client.state]).to.deep.equal([4, 'open']);
    await client.close();
    await server.close();
  });

  it('ends with a clear error when every opening resolves with something not a transport', async () => {
    const transport = new ReconnectingTransport(() => Promise.resolve(42 as unknown as Transport), {
      attempts: 2,
      delayMs: 1,
      maxDelayMs: 2,
    });
    const client = new JsonRpcConnection(transport);
    const error = (await client.request('x').catch((e: unknown) => e)) as ConnectionClosedError;
    expect(error).to.be.instanceOf(ConnectionClosedError);
    expect(String(error.cause)).to.equal('TypeError: open() must resolve with a Transport, got 42');
  });
});
