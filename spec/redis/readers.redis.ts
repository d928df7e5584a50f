/**
 * One Redis reader per topic per broker, however many subscribers: pubsub mode counted with
 * `PUBSUB NUMSUB`, streams mode by the clients blocked in XREAD (`CLIENT LIST`); released
 * within 2 s of the last subscriber leaving; a blocked XREAD re-issued at once when the topics
 * change.
 */
import { expect } from 'chai';
import type { Subscription } from 'rxjs';
import { createRedisBroker, type RedisBroker } from '../../lib/redis/index.js';
import {
  blockedReads,
  eventually,
  monitor,
  redisSuite,
  subscribers,
  type Monitor,
} from '../helpers/redis.js';

const RELEASED_WITHIN_MS = 2_000;

describe('the readers of a RedisBroker', function () {
  const suite = redisSuite();
  const { brokers, subscriptions } = suite;

  async function broker(mode: 'streams' | 'pubsub'): Promise<RedisBroker> {
    const made = await createRedisBroker({ socket: { path: suite.redis.socketPath }, mode });
    brokers.push(made);
    return made;
  }

  function subscribeMany(b: RedisBroker, topic: string, count: number): Subscription[] {
    const made = Array.from({ length: count }, () => b.topic$(topic).subscribe());
    subscriptions.push(...made);
    return made;
  }

  /** How long until `check` holds, in ms (failing after 5 s). */
  async function timeUntil(what: string, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    await eventually(what, check);
    return Date.now() - started;
  }

  describe('in pubsub mode', () => {
    const channel = 'rxjs-jsonrpc:channel:prices';
    const numsub = (): Promise<number> => subscribers(suite.redis, channel);

    it('subscribes once per broker, however many subscribers, and unsubscribes within 2 s of the last one', async () => {
      const one = await broker('pubsub');
      const many = subscribeMany(one, 'prices', 10);
      await eventually('one subscription', async () => (await numsub()) === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await numsub()).to.equal(1);

      const two = await broker('pubsub');
      const more = subscribeMany(two, 'prices', 3);
      await eventually('two subscriptions', async () => (await numsub()) === 2);

      for (const subscription of [...many, ...more]) subscription.unsubscribe();
      const tookMs = await timeUntil('no subscription', async () => (await numsub()) === 0);
      expect(tookMs).to.be.below(RELEASED_WITHIN_MS);
    });

    it('keeps the subscription for a subscriber that comes back within the grace period', async () => {
      const b = await broker('pubsub');
      const [first] = subscribeMany(b, 'prices', 1);
      await eventually('one subscription', async () => (await numsub()) === 1);
      first!.unsubscribe();
      const seen: unknown[] = [];
      subscriptions.push(b.topic$('prices').subscribe((value) => seen.push(value)));
      // Subscribed all along: a value published now arrives without waiting for a SUBSCRIBE.
      await b.publish('prices', 1);
      await eventually('the value', () => seen.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(await numsub()).to.equal(1);
    });
  });

  describe('in streams mode', () => {
    it('blocks one XREAD per broker over all its topics, and none within 2 s of the last subscriber', async () => {
      const one = await broker('streams');
      const many = [...subscribeMany(one, 'a', 10), ...subscribeMany(one, 'b', 5)];
      await eventually('one blocked read', async () => (await blockedReads(suite.redis)) === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await blockedReads(suite.redis)).to.equal(1);

      const two = await broker('streams');
      const more = subscribeMany(two, 'a', 3);
      await eventually('two blocked reads', async () => (await blockedReads(suite.redis)) === 2);

      for (const subscription of [...many, ...more]) subscription.unsubscribe();
      const tookMs = await timeUntil(
        'no blocked read',
        async () => (await blockedReads(suite.redis)) === 0,
      );
      expect(tookMs).to.be.below(RELEASED_WITHIN_MS);
    });

    it('reads a topic added while the XREAD is blocked at once (CLIENT UNBLOCK)', async () => {
      const b = await broker('streams');
      subscribeMany(b, 'first', 1);
      await eventually('a blocked read', async () => (await blockedReads(suite.redis)) === 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const seen: unknown[] = [];
      const publisher = await broker('streams');
      subscriptions.push(b.topic$('second', { after: '0-0' }).subscribe((v) => seen.push(v)));
      const started = Date.now();
      await publisher.publish('second', 'hello');
      await eventually('the value', () => seen.length === 1);
      expect(Date.now() - started).to.be.below(1_000);
      expect(seen).to.deep.equal(['hello']);
    });

    it('stops reading a topic once released, and reads it again when a subscriber returns', async () => {
      const b = await broker('streams');
      subscribeMany(b, 'stays', 1);
      const [leaving] = subscribeMany(b, 'goes', 1);
      await eventually('a blocked read', async () => (await blockedReads(suite.redis)) === 1);
      const commands = await monitor(suite.redis);
      try {
        leaving!.unsubscribe();
        await eventually('a read without the topic', () => lastRead(commands).length > 0);
        expect(lastRead(commands)).to.deep.equal(['rxjs-jsonrpc:stream:stays']);
        const seen: unknown[] = [];
        subscriptions.push(b.topic$('goes').subscribe((value) => seen.push(value)));
        await b.publish('goes', 'back');
        await eventually('the value', () => seen.length === 1);
        expect(lastRead(commands)).to.have.members([
          'rxjs-jsonrpc:stream:stays',
          'rxjs-jsonrpc:stream:goes',
        ]);
      } finally {
        commands.stop();
      }
    });

    /** The keys of the last XREAD the server ran. */
    function lastRead(commands: Monitor): string[] {
      const line = commands.lines.filter((l) => l.includes('"XREAD"')).at(-1);
      if (!line) return [];
      const words = [...line.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);
      const keys = words.slice(words.indexOf('STREAMS') + 1);
      return keys.slice(0, keys.length / 2);
    }
  });
});
