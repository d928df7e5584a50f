/**
 * connection.observe$(): remote Observables read by our client, from our server over the
 * memory pair, and from a raw peer frame by frame.
 */
import { expect } from 'chai';
import { defer, finalize, map, of, retry, Subject, take, throwError, toArray } from 'rxjs';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import {
  ConnectionClosedError,
  InvalidParamsError,
  JsonRpcError,
  MethodNotFoundError,
  RequestTimeoutError,
  stream,
  type JsonRpcNotification,
} from '../../lib/index.js';
import { connectionPair, RawPeer, settle } from '../helpers/pair.js';

/** Collects what an Observable emits and how it ended. */
function record<T>() {
  const values: T[] = [];
  const ends: unknown[] = [];
  return {
    values,
    ends,
    observer: {
      next: (value: T) => values.push(value),
      error: (error: unknown) => ends.push(error),
      complete: () => ends.push('complete'),
    },
  };
}

describe('connection.observe$()', () => {
  describe('against our server, over the memory pair', () => {
    const source = new Subject<number>();
    let live = 0;
    let aborted = 0;
    const counted = stream((_params, { signal }) => {
      signal.addEventListener('abort', () => aborted++);
      return defer(() => {
        live++;
        return source;
      }).pipe(finalize(() => live--));
    });

    let pair: ReturnType<typeof connectionPair>;
    beforeEach(() => {
      live = 0;
      aborted = 0;
      pair = connectionPair();
      pair.server.serve({
        counted,
        range: stream((params) => of(...(params as number[]))),
        fails: stream(() => throwError(() => new InvalidParamsError('Bad range', { max: 3 }))),
        custom: stream(() => throwError(() => new JsonRpcError(-32050, 'Custom', [1]))),
        refuses: stream(() => {
          throw new JsonRpcError(-32001, 'Unauthorized');
        }),
      });
    });
    afterEach(() => pair.client.close());

    it('emits every value and completes when the server Observable completes', async () => {
      expect(
        await lastValueFrom(pair.client.observe$('range', [1, 2, 3]).pipe(toArray())),
      ).to.deep.equal([1, 2, 3]);
      expect([pair.server.subscriptionCount, pair.client.observedCount]).to.deep.equal([0, 0]);
    });

    it("errors with the server's error, rebuilt into its class with code, message and data", async () => {
      const error = (await firstValueFrom(pair.client.observe$('fails')).catch(
        (e: unknown) => e,
      )) as JsonRpcError;
      expect(error).to.be.instanceOf(InvalidParamsError);
      expect([error.code, error.message, error.data]).to.deep.equal([
        -32602,
        'Bad range',
        { max: 3 },
      ]);
      const custom = (await firstValueFrom(pair.client.observe$('custom')).catch(
        (e: unknown) => e,
      )) as JsonRpcError;
      expect(custom).to.be.instanceOf(JsonRpcError);
      expect([custom.code, custom.message, custom.data]).to.deep.equal([-32050, 'Custom', [1]]);
      expect(pair.client.observedCount).to.equal(0);
    });

    it('errors with the subscribe answer when nothing started', async () => {
      const refused = await firstValueFrom(pair.client.observe$('refuses')).catch(
        (e: unknown) => e,
      );
      expect(refused).to.be.instanceOf(JsonRpcError).with.property('code', -32001);
      const missing = await firstValueFrom(pair.client.observe$('nothing')).catch(
        (e: unknown) => e,
      );
      expect(missing).to.be.instanceOf(MethodNotFoundError);
      expect(pair.server.subscriptionCount).to.equal(0);
    });

    it('unsubscribing tears the server side down: its count returns to 0', async () => {
      const seen = record<number>();
      const subscription = pair.client.observe$<number>('counted').subscribe(seen.observer);
      await settle();
      expect([live, pair.server.subscriptionCount, pair.client.observedCount]).to.deep.equal([
        1, 1, 1,
      ]);
      source.next(1);
      await settle();
      subscription.unsubscribe();
      expect(pair.client.observedCount).to.equal(0);
      await settle();
      source.next(2);
      await settle();
      expect(seen.values).to.deep.equal([1]);
      expect([live, aborted, pair.server.subscriptionCount]).to.deep.equal([0, 1, 0]);
    });

    it('pipes through operators; take() unsubscribes the server side', async () => {
      const doubled = firstValueFrom(
        pair.client.observe$<number>('counted').pipe(
          map((n) => n * 2),
          take(2),
          toArray(),
        ),
      );
      await settle();
      for (const n of [1, 2, 3]) source.next(n);
      expect(await doubled).to.deep.equal([2, 4]);
      await settle();
      expect([live, pair.server.subscriptionCount]).to.deep.equal([0, 0]);
    });

    it('each subscription opens its own server subscription', async () => {
      const a = record<number>();
      const b = record<number>();
      const counted$ = pair.client.observe$<number>('counted');
      const subscriptions = [counted$.subscribe(a.observer), counted$.subscribe(b.observer)];
      await settle();
      expect(pair.server.subscriptionCount).to.equal(2);
      source.next(5);
      await settle();
      expect([a.values, b.values]).to.deep.equal([[5], [5]]);
      subscriptions.forEach((s) => s.unsubscribe());
      await settle();
      expect(pair.server.subscriptionCount).to.equal(0);
    });

    it('consumes its notifications: they do not reach notifications$ or requests$', async () => {
      const notes: string[] = [];
      pair.client.notifications$.subscribe((n) => notes.push(n.method));
      const calls: string[] = [];
      pair.client.requests$.subscribe((c) => calls.push(c.method));
      const values = lastValueFrom(pair.client.observe$('range', [1, 2]).pipe(toArray()));
      await pair.server.notify('other', [1]);
      expect(await values).to.deep.equal([1, 2]);
      await settle();
      expect([notes, calls]).to.deep.equal([['other'], ['other']]);
    });

    it('errors with ConnectionClosedError when the connection closes, and keeps nothing', async () => {
      const seen = record<number>();
      pair.client.observe$<number>('counted').subscribe(seen.observer);
      await settle();
      await pair.client.close();
      expect(seen.ends).to.have.lengthOf(1);
      expect(seen.ends[0]).to.be.instanceOf(ConnectionClosedError);
      expect(pair.client.observedCount).to.equal(0);
      await settle();
      expect([live, pair.server.subscriptionCount]).to.deep.equal([0, 0]);
      const late = await firstValueFrom(pair.client.observe$('counted')).catch((e: unknown) => e);
      expect(late).to.be.instanceOf(ConnectionClosedError);
    });

    it('validates its arguments loudly', () => {
      expect(() => pair.client.observe$(1 as never)).to.throw(
        TypeError,
        'The method must be a string, got number',
      );
      expect(() => pair.client.observe$('a', 'b' as never)).to.throw(
        TypeError,
        'Params must be an array or an object, got string',
      );
      expect(() => pair.client.observe$('a', [1], { resume: true })).to.throw(
        TypeError,
        'The "resume" option needs params by name (an object) or none',
      );
      expect(() => pair.client.observe$('a', [], { resubscribe: 1 as never })).to.throw(
        TypeError,
        'The "resubscribe" option must be a boolean, got 1',
      );
      expect(() => pair.client.observe$('a', [], { timeout: -1 })).to.throw(
        RangeError,
        'The "timeout" option must be between 0 and 2147483647 milliseconds, got -1',
      );
      expect(() => pair.client.observe$('a', [], { onDropped: 'x' as never })).to.throw(
        TypeError,
        'The "onDropped" option must be a function',
      );
    });
  });

  describe('against a raw peer', () => {
    let peer: RawPeer;
    beforeEach(() => {
      peer = new RawPeer({ maxEarlyNotifications: 2 });
    });
    afterEach(() => peer.close());

    const answer = (id: unknown, result: unknown): string =>
      JSON.stringify({ jsonrpc: '2.0', id, result });
    const value = (method: string, params: object): string =>
      JSON.stringify({ jsonrpc: '2.0', method, params });

    it('speaks name_subscribe / name_unsubscribe [S], binding S as it reads the answer', async () => {
      const seen = record<unknown>();
      const subscription = peer.connection.observe$('feed', { room: 1 }).subscribe(seen.observer);
      const [subscribe] = (await peer.read(1)) as { id: number; method: string; params: unknown }[];
      expect(subscribe).to.deep.include({ method: 'feed_subscribe', params: { room: 1 } });
      // The answer and a value in one read: the value must find its subscription.
      peer.send(
        `[${answer(subscribe!.id, 'S1')},${value('feed_subscription', { subscription: 'S1', result: 'a' })}]`,
      );
      await settle();
      expect(seen.values).to.deep.equal(['a']);
      subscription.unsubscribe();
      const [unsubscribe] = (await peer.read(1)) as { method: string; params: unknown }[];
      expect(unsubscribe).to.deep.include({ method: 'feed_unsubscribe', params: ['S1'] });
    });

    it('accepts numeric ids and overridden method names', async () => {
      const seen = record<unknown>();
      peer.connection
        .observe$('x', undefined, {
          subscribe: 'watch',
          unsubscribe: 'unwatch',
          notification: 'changed',
        })
        .subscribe(seen.observer);
      const [subscribe] = (await peer.read(1)) as { id: number; method: string }[];
      expect(subscribe!.method).to.equal('watch');
      peer.send(answer(subscribe!.id, 7));
      peer.send(value('changed', { subscription: 7, result: 1 }));
      peer.send(value('changed', { subscription: 7, complete: true }));
      await settle();
      expect([seen.values, seen.ends]).to.deep.equal([[1], ['complete']]);
      expect(await peer.drain()).to.deep.equal([]); // no unsubscribe for an ended stream
    });

    it('holds notifications that arrive before the answer, bounded; the rest go to notifications$', async () => {
      const notes: unknown[] = [];
      peer.connection.notifications$.subscribe((n: JsonRpcNotification) => notes.push(n.params));
      const seen = record<unknown>();
      peer.connection.observe$('feed').subscribe(seen.observer);
      const [subscribe] = (await peer.read(1)) as { id: number }[];
      peer.send(value('feed_subscription', { subscription: 'OTHER', result: 0 }));
      peer.send(value('feed_subscription', { subscription: 'S', result: 1 }));
      peer.send(value('feed_subscription', { subscription: 'S', result: 2 }));
      await settle();
      // maxEarlyNotifications is 2: the oldest held one went on at once.
      expect(notes).to.deep.equal([{ subscription: 'OTHER', result: 0 }]);
      peer.send(answer(subscribe!.id, 'S'));
      peer.send(value('feed_subscription', { subscription: 'S', result: 3 }));
      peer.send(value('feed_subscription', { subscription: 'UNKNOWN', result: 4 }));
      await settle();
      expect(seen.values).to.deep.equal([1, 2, 3]);
      expect(notes).to.deep.equal([
        { subscription: 'OTHER', result: 0 },
        { subscription: 'UNKNOWN', result: 4 },
      ]);
    });

    it('unsubscribed before its answer: cancels the subscribe at once, unsubscribes a late answer', async () => {
      const subscription = peer.connection.observe$('feed').subscribe();
      const [subscribe] = (await peer.read(1)) as { id: number }[];
      subscription.unsubscribe();
      expect(peer.connection.observedCount).to.equal(0);
      expect(peer.connection.pendingCount).to.equal(0);
      const [cancel] = await peer.read(1);
      expect(cancel).to.deep.include({ method: '$/cancelRequest', params: { id: subscribe!.id } });
      peer.send(answer(subscribe!.id, 'S9'));
      const [unsubscribe] = (await peer.read(1)) as { method: string; params: unknown }[];
      expect(unsubscribe).to.deep.include({ method: 'feed_unsubscribe', params: ['S9'] });
      expect(peer.connection.observedCount).to.equal(0);
      expect(peer.connection.pendingCount).to.equal(1); // the unsubscribe's own request
    });

    it('times out its subscribe: cancels it, forgets it at once, and still unsubscribes a late answer', async () => {
      const seen = record<unknown>();
      peer.connection.observe$('feed', undefined, { timeout: 10 }).subscribe(seen.observer);
      const [subscribe] = (await peer.read(1)) as { id: number }[];
      const [cancel] = await peer.read(1);
      expect(cancel).to.deep.include({ method: '$/cancelRequest', params: { id: subscribe!.id } });
      expect(seen.ends).to.have.lengthOf(1);
      expect(seen.ends[0]).to.be.instanceOf(RequestTimeoutError);
      expect((seen.ends[0] as Error).message).to.equal(
        "Request 'feed_subscribe' timed out after 10 ms",
      );
      expect(peer.connection.observedCount).to.equal(0);
      expect(peer.connection.pendingCount).to.equal(0);
      peer.send(answer(subscribe!.id, 'LATE'));
      const [unsubscribe] = (await peer.read(1)) as { method: string; params: unknown }[];
      expect(unsubscribe).to.deep.include({ method: 'feed_unsubscribe', params: ['LATE'] });
      // An error answer to a cancelled subscribe is dropped: nothing more is sent.
      peer.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: subscribe!.id,
          error: { code: -32800, message: 'x' },
        }),
      );
      await settle();
      expect(peer.connection.observedCount).to.equal(0);
    });

    it('looks for late answers of the last 1,000 subscribes given up on, no more', async () => {
      for (let i = 0; i < 1_001; i++) peer.connection.observe$('feed').subscribe().unsubscribe();
      const frames = (await peer.read(2_002)) as { id?: number; method: string }[];
      const ids = frames.filter((f) => f.method === 'feed_subscribe').map((f) => f.id!);
      peer.send(JSON.stringify({ jsonrpc: '2.0', id: ids[0], result: 'FIRST' }));
      peer.send(JSON.stringify({ jsonrpc: '2.0', id: ids[1_000], result: 'LAST' }));
      const [unsubscribe] = (await peer.read(1)) as { params: unknown }[];
      expect(unsubscribe).to.deep.include({ params: ['LAST'] });
      expect(await peer.drain()).to.deep.equal([]);
      expect(peer.connection.pendingCount).to.equal(1);
    });

    it('with retry() against a server that never answers: nothing piles up', async () => {
      const seen = record<unknown>();
      peer.connection
        .observe$('feed', undefined, { timeout: 2 })
        .pipe(retry(50))
        .subscribe(seen.observer);
      const frames = (await peer.read(102)) as { method: string }[];
      expect(frames.filter((f) => f.method === 'feed_subscribe')).to.have.lengthOf(51);
      expect(frames.filter((f) => f.method === '$/cancelRequest')).to.have.lengthOf(51);
      expect(seen.ends).to.have.lengthOf(1);
      expect(seen.ends[0]).to.be.instanceOf(RequestTimeoutError);
      expect(peer.connection.observedCount).to.equal(0);
      expect(peer.connection.pendingCount).to.equal(0);
    });

    it('errors with a TypeError on an answer that is no subscription id; reports dropped counts', async () => {
      const first = record<unknown>();
      peer.connection.observe$('feed').subscribe(first.observer);
      const [a] = (await peer.read(1)) as { id: number }[];
      peer.send(answer(a!.id, { not: 'an id' }));
      await settle();
      expect(String(first.ends[0])).to.equal(
        `TypeError: 'feed_subscribe' answered {"not":"an id"}, not a subscription id`,
      );
      const dropped: number[] = [];
      const second = record<unknown>();
      peer.connection
        .observe$('feed', undefined, { onDropped: (n) => dropped.push(n) })
        .subscribe(second.observer);
      const [b] = (await peer.read(1)) as { id: number }[];
      peer.send(answer(b!.id, 'S'));
      peer.send(value('feed_subscription', { subscription: 'S', result: 9, dropped: 4 }));
      await settle();
      expect([second.values, dropped]).to.deep.equal([[9], [4]]);
    });

    it('hears notifications for subscriptions made by hand on notifications$', async () => {
      const notes: unknown[] = [];
      peer.connection.notifications$.subscribe((n: JsonRpcNotification) => notes.push(n.params));
      const live = peer.connection.observe$('eth', ['newHeads']).subscribe();
      const [subscribe] = (await peer.read(1)) as { id: number }[];
      peer.send(answer(subscribe!.id, '0xa'));
      peer.send(value('eth_subscription', { subscription: '0xa', result: 1 }));
      peer.send(value('eth_subscription', { subscription: '0xb', result: 2 }));
      await settle();
      expect(notes).to.deep.equal([{ subscription: '0xb', result: 2 }]);
      live.unsubscribe();
    });
  });
});
