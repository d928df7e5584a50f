/**
 * What a stream's source can say beyond its values: `streamEvent()` (an event id, values lost
 * before this one), `resumable`, and `context.drained()` for a replay of any length.
 */
import { expect } from 'chai';
import { from, Observable, Subject } from 'rxjs';
import type { JsonRpcError } from '../../lib/index.js';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  stream,
  streamEvent,
  type JsonRpcStreamContext,
} from '../../lib/index.js';
import { congestiblePair, SlowWire } from '../helpers/congestible.js';
import { connectionPair, settle } from '../helpers/pair.js';

/** What a client receives: values, dropped counts, and the end. */
function record<T>(source$: Observable<T>) {
  const seen = { values: [] as T[], ends: [] as unknown[] };
  const subscription = source$.subscribe({
    next: (value) => seen.values.push(value),
    error: (error: unknown) => seen.ends.push(error),
    complete: () => seen.ends.push('complete'),
  });
  return { seen, subscription };
}

describe('streamEvent(), resumable and drained()', () => {
  it("sends an event's value as the result, its id, and what was lost before it as dropped", async () => {
    const { client, server } = connectionPair();
    const feed = new Subject<ReturnType<typeof streamEvent<number>>>();
    server.serve({ feed: stream(() => feed) });
    // Read raw, as any client of the convention would: the notifications' params.
    const params: unknown[] = [];
    client.notifications$.subscribe((notification) => params.push(notification.params));
    const id = (await client.request('feed_subscribe')) as string;
    await settle();
    feed.next(streamEvent(1, { eventId: 'a-1' }));
    feed.next(streamEvent(5, { eventId: 'a-5', dropped: 3 }));
    feed.next(streamEvent(6));
    await settle();
    expect(params).to.deep.equal([
      { subscription: id, result: 1, eventId: 'a-1' },
      { subscription: id, result: 5, dropped: 3, eventId: 'a-5' },
      { subscription: id, result: 6 },
    ]);
    await client.close();
  });

  it('with resumable, resumes by the ids of its events; without, answers a resume -32012', async () => {
    const { client, server } = connectionPair();
    const resumedAfter: unknown[] = [];
    const history = [1, 2, 3, 4];
    server.serve({
      events: stream(
        (_params, context) => {
          resumedAfter.push(context.lastEventId);
          const after = Number(context.lastEventId ?? 0);
          return from(history.filter((n) => n > after).map((n) => streamEvent(n, { eventId: n })));
        },
        { resumable: true },
      ),
      plain: stream(() => from([1, 2])),
    });
    const all = record(client.observe$<number>('events'));
    await settle();
    expect(all.seen.values).to.deep.equal([1, 2, 3, 4]);
    // A client resumes by sending the last id it has, as observe$({ resume }) does.
    const resumed = await client.request('events_subscribe', { _meta: { lastEventId: 2 } });
    expect(resumed).to.be.a('string');
    expect(resumedAfter).to.deep.equal([undefined, 2]);
    const refused = await client
      .request('plain_subscribe', { _meta: { lastEventId: 2 } })
      .catch((e: unknown) => e);
    expect((refused as JsonRpcError).code).to.equal(-32012);
    await client.close();
  });

  it('keep-latest counts the values it conflates and those their source had lost', async () => {
    const pair = congestiblePair();
    const feed = new Subject<ReturnType<typeof streamEvent<number>>>();
    pair.server.serve({ feed: stream(() => feed, { overflow: 'keep-latest' }) });
    const dropped: number[] = [];
    const { seen } = record(
      pair.client.observe$<number>('feed', undefined, { onDropped: (n) => dropped.push(n) }),
    );
    await settle();
    pair.wire.congested = true;
    feed.next(streamEvent(1));
    feed.next(streamEvent(4, { dropped: 2 })); // 1 conflated
    feed.next(streamEvent(5)); // 4 conflated, with the 2 lost before it
    pair.wire.release();
    feed.next(streamEvent(6));
    await settle();
    expect(seen.values).to.deep.equal([5, 6]);
    expect(dropped).to.deep.equal([4]);
    await pair.client.close();
  });

  it('checks its options', () => {
    expect(() => streamEvent(1, { eventId: {} as unknown as string })).to.throw(
      TypeError,
      'The "eventId" option must be a string or a finite number, got [object Object]',
    );
    expect(() => streamEvent(1, { dropped: -1 })).to.throw(
      RangeError,
      'The "dropped" option must be a non-negative integer, got -1',
    );
    expect(() => stream(() => from([]), { resumable: 'yes' as unknown as boolean })).to.throw(
      TypeError,
      '"resumable"',
    );
  });

  describe('a replay of 10,000 values through a transport that congests every 20 frames', () => {
    function replay(source: (context: JsonRpcStreamContext) => Observable<number>) {
      const [clientEnd, serverEnd] = createMemoryTransportPair();
      const server = new JsonRpcConnection(new SlowWire(serverEnd));
      server.serve({ history: stream((_params, context) => source(context), { maxQueue: 100 }) });
      return { client: new JsonRpcConnection(clientEnd), server };
    }

    it('completes in order, without -32010, when its source awaits drained() between chunks', async function () {
      this.timeout(10_000);
      const { client, server } = replay(
        (context) =>
          new Observable<number>((subscriber) => {
            void (async () => {
              for (let n = 1; n <= 10_000; n++) {
                subscriber.next(n);
                if (n % 50 === 0) await context.drained();
                if (context.signal.aborted) return;
              }
              subscriber.complete();
            })();
          }),
      );
      const { seen } = record(client.observe$<number>('history'));
      const deadline = Date.now() + 8_000;
      while (seen.ends.length === 0 && Date.now() < deadline) await settle();
      expect(seen.ends).to.deep.equal(['complete']);
      expect(seen.values).to.have.length(10_000);
      expect(seen.values.every((value, index) => value === index + 1)).to.equal(true);
      await client.close();
      await server.close();
    });

    it('lags with -32010 when the same source does not await it', async () => {
      const { client, server } = replay(() =>
        from(Array.from({ length: 10_000 }, (_, n) => n + 1)),
      );
      const { seen } = record(client.observe$<number>('history'));
      const deadline = Date.now() + 3_000;
      while (seen.ends.length === 0 && Date.now() < deadline) await settle();
      expect((seen.ends[0] as JsonRpcError).code).to.equal(-32010);
      await client.close();
      await server.close();
    });
  });
});
