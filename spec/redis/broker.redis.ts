/**
 * RedisBroker against a real redis-server: publish and topic$/events$ in both modes, the
 * order of overlapping publishes, resuming a stream after an id (history, then live, no gap,
 * no duplicate), the gaps counted as `dropped`, programmer mistakes, and close().
 */
import { expect } from 'chai';
import type { Observable, Subscription } from 'rxjs';
import type { RedisBrokerEvent } from '../../lib/redis/event.js';
import {
  createRedisBroker,
  type RedisBroker,
  type RedisBrokerMode,
  type RedisBrokerOptions,
} from '../../lib/redis/index.js';
import {
  clientList,
  CLI_NAME,
  eventually,
  redisSuite,
  startRedis,
  subscribers,
} from '../helpers/redis.js';

/** What one subscription got so far. */
interface Watched<T> {
  readonly values: T[];
  completed: boolean;
  error: unknown;
  subscription: Subscription;
}

/** Calls `act`, expecting it to throw an error of `type` with exactly `message`. */
function expectThrown(act: () => unknown, type: ErrorConstructor, message: string): void {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).to.be.instanceOf(type);
  expect((thrown as Error).message).to.equal(message);
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('RedisBroker', function () {
  const suite = redisSuite((redis) => redis.cli('FLUSHALL'));
  const { brokers, subscriptions } = suite;

  async function broker(options: Partial<RedisBrokerOptions> = {}): Promise<RedisBroker> {
    const made = await createRedisBroker({ socket: { path: suite.redis.socketPath }, ...options });
    brokers.push(made);
    return made;
  }

  function watch<T>(observable: Observable<T>): Watched<T> {
    const watched: Watched<T> = {
      values: [],
      completed: false,
      error: undefined,
      subscription: undefined as unknown as Subscription,
    };
    watched.subscription = observable.subscribe({
      next: (value) => watched.values.push(value),
      error: (error: unknown) => (watched.error = error),
      complete: () => (watched.completed = true),
    });
    subscriptions.push(watched.subscription);
    return watched;
  }

  /** Resolves once `broker`'s subscription to `topic` is in place (pubsub: SUBSCRIBE done). */
  async function established(mode: RedisBrokerMode, topic: string, count = 1): Promise<void> {
    if (mode === 'pubsub') {
      const channel = `rxjs-jsonrpc:channel:${topic}`;
      await eventually(`${count} subscriber(s) to ${channel}`, async () => {
        return (await subscribers(suite.redis, channel)) === count;
      });
    }
    // streams: values published after subscribe() through the same broker always arrive.
  }

  for (const mode of ['streams', 'pubsub'] as const) {
    describe(`in ${mode} mode`, () => {
      it('delivers each value published after the subscription to every subscriber', async () => {
        const b = await broker({ mode });
        const first = watch(b.topic$<{ n: number }>('greetings'));
        const second = watch(b.events$('greetings'));
        await established(mode, 'greetings');
        const ids = [
          await b.publish('greetings', { n: 1 }),
          await b.publish('greetings', { n: 2 }),
        ];
        await eventually('both values', () => second.values.length === 2);
        expect(first.values).to.deep.equal([{ n: 1 }, { n: 2 }]);
        expect(second.values.map((event) => event.id)).to.deep.equal(ids);
        expect(second.values.map((event) => [event.seq, event.dropped])).to.deep.equal([
          [1, 0],
          [2, 0],
        ]);
        expect(ids[0]).not.to.equal(ids[1]);
        if (mode === 'pubsub') expect(ids).to.deep.equal(['1', '2']);
        else expect(ids[1]).to.match(/^\d+-2$/);
      });

      it('keeps the order of 1,000 overlapping publish() calls', async () => {
        const b = await broker({ mode });
        const seen = watch(b.topic$<number>('counter'));
        await established(mode, 'counter');
        const ids = await Promise.all(range(1, 1_000).map((n) => b.publish('counter', n)));
        await eventually('1,000 values', () => seen.values.length === 1_000);
        expect(seen.values).to.deep.equal(range(1, 1_000));
        expect(new Set(ids).size).to.equal(1_000);
      });

      it('shares one numbering between publishers, and carries values between brokers', async () => {
        const [reader, one, two] = await Promise.all([
          broker({ mode }),
          broker({ mode }),
          broker({ mode }),
        ]);
        const events = watch(reader.events$('shared', mode === 'streams' ? { after: '0-0' } : {}));
        await established(mode, 'shared');
        await one.publish('shared', 'a');
        await two.publish('shared', 'b');
        await one.publish('shared', 'c');
        await eventually('3 values', () => events.values.length === 3);
        expect(events.values.map((event) => [event.seq, event.value])).to.deep.equal([
          [1, 'a'],
          [2, 'b'],
          [3, 'c'],
        ]);
      });

      it('keeps brokers with different prefixes apart', async () => {
        const mine = await broker({ mode, prefix: 'app-one:' });
        const theirs = await broker({ mode, prefix: 'app-two:' });
        const seen = watch(mine.topic$('news'));
        if (mode === 'pubsub') {
          await eventually('subscribed', async () => {
            return (await subscribers(suite.redis, 'app-one:channel:news')) === 1;
          });
        }
        await theirs.publish('news', 'not for me');
        await mine.publish('news', 'mine');
        await eventually('my value', () => seen.values.length === 1);
        expect(seen.values).to.deep.equal(['mine']);
        expect(await suite.redis.cli('EXISTS', 'app-two:seq:news')).to.equal(1);
      });

      it('throws at once for a topic that is not a non-empty string, a value JSON cannot hold, and a malformed after', async () => {
        const b = await broker({ mode });
        expectThrown(
          () => b.publish('', 1),
          TypeError,
          'The topic must be a non-empty string, got ',
        );
        expectThrown(
          () => b.topic$(42 as unknown as string),
          TypeError,
          'The topic must be a non-empty string, got 42',
        );
        expectThrown(
          () => b.publish('t', undefined),
          TypeError,
          'The value published to topic "t" is not JSON: undefined',
        );
        expectThrown(
          () => b.publish('t', 1n),
          TypeError,
          'The value published to topic "t" is not JSON: Do not know how to serialize a BigInt',
        );
        const shape = mode === 'streams' ? '"<ms>-<seq>"' : 'a sequence number';
        expectThrown(
          () => b.topic$('t', { after: 'yesterday' }),
          TypeError,
          `The "after" option must be an event id of this ${mode} broker (${shape}), got yesterday`,
        );
      });

      it('close() completes every subscriber, rejects later publishes, and leaves no client connected', async () => {
        const b = await broker({ mode });
        const first = watch(b.topic$('a'));
        const second = watch(b.events$('b'));
        await established(mode, 'a');
        await b.publish('a', 1);
        await b.close();
        expect(first.completed).to.equal(true);
        expect(second.completed).to.equal(true);
        const late = watch(b.topic$('a'));
        expect(late.completed).to.equal(true);
        const error = await b.publish('a', 2).then(
          () => expect.fail('published'),
          (rejection: unknown) => rejection as Error,
        );
        expect(error.message).to.equal('The broker is closed: cannot publish to topic "a"');
        await eventually('only the spec client left', async () => {
          const names = (await clientList(suite.redis)).map((client) => client.get('name'));
          return names.length === 1 && names[0] === CLI_NAME;
        });
        await b.close(); // again: nothing to do
      });
    });
  }

  describe('in streams mode', () => {
    it('resumes after an id: the history in chunks of 500, then the live values, no gap, no duplicate', async () => {
      const b = await broker();
      const ids: string[] = [];
      for (const batch of [range(1, 600), range(601, 1_200)]) {
        ids.push(...(await Promise.all(batch.map((n) => b.publish('log', n)))));
      }
      const resumed = watch(b.events$('log', { after: ids[99]! }));
      // Published while the history is read: they must join it without a seam.
      const live = range(1_201, 1_500).map((n) => b.publish('log', n));
      ids.push(...(await Promise.all(live)));
      await eventually('values 101 to 1,500', () => resumed.values.length === 1_400, 10_000);
      expect(resumed.values.map((event) => event.value)).to.deep.equal(range(101, 1_500));
      expect(resumed.values.map((event) => event.id)).to.deep.equal(ids.slice(100));
      expect(resumed.values.every((event) => event.dropped === 0)).to.equal(true);
      await b.publish('log', 1_501);
      await eventually('value 1,501', () => resumed.values.length === 1_401);
    });

    it('without after, delivers what the same broker publishes right after subscribe()', async () => {
      const b = await broker();
      await b.publish('now', 'before');
      const seen = watch(b.topic$('now'));
      await b.publish('now', 'after');
      await eventually('one value', () => seen.values.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.values).to.deep.equal(['after']);
    });

    it('counts the values trimmed away before a resume as dropped, exactly', async () => {
      const b = await broker({ maxLen: 10 });
      const ids = await Promise.all(range(1, 1_000).map((n) => b.publish('trimmed', n)));
      const kept = Number(await suite.redis.cli('XLEN', 'rxjs-jsonrpc:stream:trimmed'));
      expect(kept).to.be.within(10, 200);
      const resumed = watch(b.events$('trimmed', { after: ids[4]! }));
      await eventually(`the ${kept} kept values`, () => resumed.values.length === kept);
      const [first] = resumed.values as [RedisBrokerEvent];
      expect(first.seq).to.equal(1_000 - kept + 1);
      expect(first.dropped).to.equal(first.seq - 5 - 1);
      expect(resumed.values.slice(1).every((event) => event.dropped === 0)).to.equal(true);
      const dropped = resumed.values.reduce((sum, event) => sum + event.dropped, 0);
      expect(resumed.values.length + dropped).to.equal(1_000 - 5);
    });

    it('resumes after the last id without repeating it, and after 0-0 from the start', async () => {
      const b = await broker();
      const ids = await Promise.all([1, 2, 3].map((n) => b.publish('short', n)));
      const fromLast = watch(b.topic$('short', { after: ids[2]! }));
      const fromStart = watch(b.topic$('short', { after: '0-0' }));
      await b.publish('short', 4);
      await eventually('all values', () => fromStart.values.length === 4);
      await eventually('the new value', () => fromLast.values.length === 1);
      expect(fromStart.values).to.deep.equal([1, 2, 3, 4]);
      expect(fromLast.values).to.deep.equal([4]);
    });
  });

  it('connects by url as well as by unix socket', async () => {
    const tcp = await startRedis({ tcp: true });
    try {
      const byUrl = await createRedisBroker({ url: tcp.url! });
      try {
        const seen = watch(byUrl.topic$('over-tcp'));
        await byUrl.publish('over-tcp', 'hello');
        await eventually('the value', () => seen.values.length === 1);
        expect(seen.values).to.deep.equal(['hello']);
      } finally {
        await byUrl.close();
      }
    } finally {
      await tcp.stop();
    }
  });

  describe('in pubsub mode', () => {
    it('counts the values published since `after` as dropped on the first value', async () => {
      const b = await broker({ mode: 'pubsub' });
      const ids = await Promise.all([1, 2, 3, 4].map((n) => b.publish('ticks', n)));
      const resumed = watch(b.events$('ticks', { after: ids[0]! }));
      await established('pubsub', 'ticks');
      await b.publish('ticks', 5);
      await b.publish('ticks', 6);
      await eventually('2 values', () => resumed.values.length === 2);
      expect(resumed.values.map((event) => [event.value, event.dropped])).to.deep.equal([
        [5, 3],
        [6, 0],
      ]);
    });
  });
});
