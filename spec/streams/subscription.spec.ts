/**
 * A server subscription's bounded queue: it fills while the transport is congested, drains
 * when it is not, and overflows by its policy; a slow client never slows the others.
 */
import { expect } from 'chai';
import { defer, finalize, Subject } from 'rxjs';
import { JsonRpcError, stream, type StreamOptions } from '../../lib/index.js';
import { congestiblePair } from '../helpers/congestible.js';
import { settle } from '../helpers/pair.js';

/** A shared producer and a counter of its live server subscriptions. */
function producer() {
  const source = new Subject<number>();
  let live = 0;
  const entry = (options?: StreamOptions<number>) =>
    stream(
      () =>
        defer(() => {
          live++;
          return source;
        }).pipe(finalize(() => live--)),
      options,
    );
  return { source, entry, live: () => live };
}

/** Subscribes a client and records what it receives. */
async function observe(client: ReturnType<typeof congestiblePair>['client'], name: string) {
  const values: number[] = [];
  const dropped: number[] = [];
  const ends: unknown[] = [];
  const subscription = client
    .observe$<number>(name, undefined, { onDropped: (n) => dropped.push(n) })
    .subscribe({
      next: (value) => values.push(value),
      error: (error: unknown) => ends.push(error),
      complete: () => ends.push('complete'),
    });
  await settle();
  return { values, dropped, ends, subscription };
}

describe('a server subscription with a slow client', () => {
  let pair: ReturnType<typeof congestiblePair>;
  afterEach(() => pair.client.close());

  it('queues while the transport is congested and drains in order when it is not', async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ feed: feed.entry({ maxQueue: 10 }) });
    const seen = await observe(pair.client, 'feed');
    pair.wire.congested = true;
    for (let n = 1; n <= 10; n++) feed.source.next(n);
    await settle();
    expect(seen.values).to.deep.equal([]);
    pair.wire.release();
    feed.source.next(11);
    await settle();
    expect(seen.values).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(seen.dropped).to.deep.equal([]);
  });

  it("by default, ends with -32010 'subscription lagged' past maxQueue, and frees the producer at once", async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ feed: feed.entry({ maxQueue: 3 }) });
    const seen = await observe(pair.client, 'feed');
    pair.wire.congested = true;
    for (let n = 1; n <= 4; n++) feed.source.next(n);
    expect(feed.live()).to.equal(0);
    expect(pair.server.subscriptionCount).to.equal(1); // its end is still to be told
    pair.wire.release();
    await settle();
    expect(seen.values).to.deep.equal([]);
    const error = seen.ends[0] as JsonRpcError;
    expect(error).to.be.instanceOf(JsonRpcError);
    expect([error.code, error.message, error.data]).to.deep.equal([
      -32010,
      'subscription lagged',
      { limit: 3 },
    ]);
    expect([pair.server.subscriptionCount, pair.client.observedCount]).to.deep.equal([0, 0]);
  });

  it("'drop-oldest' keeps the newest maxQueue values and reports the dropped count", async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ feed: feed.entry({ maxQueue: 2, overflow: 'drop-oldest' }) });
    const seen = await observe(pair.client, 'feed');
    pair.wire.congested = true;
    for (let n = 1; n <= 5; n++) feed.source.next(n);
    pair.wire.release();
    feed.source.next(6);
    await settle();
    expect(seen.values).to.deep.equal([4, 5, 6]);
    expect(seen.dropped).to.deep.equal([3]);
    expect(feed.live()).to.equal(1);
  });

  it("'keep-latest' keeps only the newest value while the client is slow", async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ feed: feed.entry({ overflow: 'keep-latest' }) });
    const seen = await observe(pair.client, 'feed');
    feed.source.next(0);
    pair.wire.congested = true;
    for (let n = 1; n <= 5; n++) feed.source.next(n);
    pair.wire.release();
    await settle();
    expect(seen.values).to.deep.equal([0, 5]);
    expect(seen.dropped).to.deep.equal([4]);
  });

  it('sends the terminal notification after the queue, once the transport drains', async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ feed: feed.entry() });
    const seen = await observe(pair.client, 'feed');
    pair.wire.congested = true;
    feed.source.next(1);
    feed.source.complete();
    await settle();
    expect(seen.ends).to.deep.equal([]);
    pair.wire.release();
    await settle();
    expect([seen.values, seen.ends]).to.deep.equal([[1], ['complete']]);
    expect(pair.server.subscriptionCount).to.equal(0);
  });

  it('drains the subscriptions of one connection in turn', async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ a: feed.entry(), b: feed.entry() });
    const a = await observe(pair.client, 'a');
    const b = await observe(pair.client, 'b');
    pair.wire.congested = true;
    for (let n = 1; n <= 3; n++) feed.source.next(n);
    pair.wire.release();
    await settle();
    expect([a.values, b.values]).to.deep.equal([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('a slow client never slows the producer’s other subscribers', async () => {
    const feed = producer();
    pair = congestiblePair();
    const fast = congestiblePair();
    const entry = feed.entry({ maxQueue: 5 });
    pair.server.serve({ feed: entry });
    fast.server.serve({ feed: entry });
    const slow = await observe(pair.client, 'feed');
    const quick = await observe(fast.client, 'feed');
    pair.wire.congested = true;
    for (let n = 1; n <= 100; n++) feed.source.next(n);
    await settle();
    expect(quick.values).to.have.lengthOf(100);
    expect(feed.live()).to.equal(1); // the slow one lagged and let go
    expect(feed.source.observed).to.equal(true);
    pair.wire.release();
    await settle();
    expect((slow.ends[0] as JsonRpcError).code).to.equal(-32010);
    await fast.client.close();
  });

  it('an unsubscribe while values wait drops them and forgets the subscription', async () => {
    const feed = producer();
    pair = congestiblePair();
    pair.server.serve({ feed: feed.entry() });
    const seen = await observe(pair.client, 'feed');
    pair.wire.congested = true;
    feed.source.next(1);
    seen.subscription.unsubscribe();
    await settle();
    expect([feed.live(), pair.server.subscriptionCount]).to.deep.equal([0, 0]);
    pair.wire.release();
    await settle();
    expect(seen.values).to.deep.equal([]);
  });
});
