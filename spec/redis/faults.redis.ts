/**
 * RedisBroker through faults: Redis stopped (a publish rejects within publishTimeoutMs, and
 * works again after a restart), every link of the broker killed midway through a stream of
 * publishes (streams: every value once, in order; pubsub: in order, received + dropped =
 * published), and close() while Redis is away. None of it may crash the process (the spec
 * setup fails a test on any uncaught exception or unhandled rejection).
 */
import { expect } from 'chai';
import type { Observable } from 'rxjs';
import type { RedisBrokerEvent } from '../../lib/redis/event.js';
import {
  createRedisBroker,
  type RedisBroker,
  type RedisBrokerOptions,
} from '../../lib/redis/index.js';
import { CHANNEL_PUBLISH_SCRIPT, STREAM_PUBLISH_SCRIPT } from '../../lib/redis/scripts.js';
import { clientList, CLI_NAME, eventually, outsider, redisSuite } from '../helpers/redis.js';

describe('a RedisBroker through faults', function () {
  const suite = redisSuite((redis) => redis.restart());
  const { brokers, subscriptions } = suite;

  async function broker(options: Partial<RedisBrokerOptions> = {}): Promise<RedisBroker> {
    const made = await createRedisBroker({ socket: { path: suite.redis.socketPath }, ...options });
    brokers.push(made);
    return made;
  }

  function watch(events$: Observable<RedisBrokerEvent>): RedisBrokerEvent[] {
    const events: RedisBrokerEvent[] = [];
    subscriptions.push(events$.subscribe((event) => events.push(event)));
    return events;
  }

  /**
   * Publishes 1…`count` through `publisher` in overlapping batches of 20. Right after sending
   * the batch holding `killAt`, kills every link but the spec's own (the broker's commands in
   * flight fail), then publishes 'elsewhere 1'…'elsewhere 5' through the spec's own client: a
   * publisher in another process, whose link held while this broker's were down.
   * @returns the values whose publish resolved, and the number of clients killed
   */
  async function publishThroughKill(
    publisher: RedisBroker,
    topic: string,
    count: number,
    killAt: number,
    script: { source: string; keys: string[]; args: string[] },
  ): Promise<{ resolved: number[]; killed: number }> {
    const own = await outsider(suite.redis);
    const resolved: number[] = [];
    let killed = 0;
    try {
      for (let n = 1; n <= count; n += 20) {
        const batch = Array.from({ length: 20 }, (_, i) => n + i);
        const outcomes = batch.map((value) =>
          publisher.publish(topic, value).then(
            () => resolved.push(value),
            () => {}, // lost with the link: maybe published, maybe not
          ),
        );
        if (n <= killAt && killAt < n + 20) {
          const kills = [
            own.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal']),
            own.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']),
          ];
          const { source, keys, args } = script;
          const elsewhere = [1, 2, 3, 4, 5].map((i) =>
            own.sendCommand([
              'EVAL',
              source,
              String(keys.length),
              ...keys,
              ...args,
              `"elsewhere ${i}"`,
            ]),
          );
          killed = (await Promise.all(kills)).reduce<number>((sum, k) => sum + Number(k), 0);
          await Promise.all(elsewhere);
        }
        await Promise.all(outcomes);
      }
    } finally {
      own.destroy();
    }
    return { resolved, killed };
  }

  for (const mode of ['streams', 'pubsub'] as const) {
    it(`${mode}: a publish while Redis is stopped rejects within publishTimeoutMs, and publishing works again after a restart`, async () => {
      const b = await broker({ mode, publishTimeoutMs: 300 });
      const events = watch(b.events$('t'));
      await suite.redis.pause();
      const started = Date.now();
      const error = await b.publish('t', 'lost').then(
        () => expect.fail('published'),
        (rejection: unknown) => rejection as Error,
      );
      const tookMs = Date.now() - started;
      expect(error.message).to.equal('Publishing to topic "t" timed out after 300 ms');
      expect(tookMs).to.be.within(290, 600);

      await suite.redis.restart();
      // Until one arrives: in pubsub mode, values published before the resubscription are lost.
      await eventually(
        'a value published after the restart',
        async () => {
          await b.publish('t', 'back').catch(() => {});
          return events.length > 0;
        },
        5_000,
      );
      expect(events.every((event) => event.value === 'back')).to.equal(true);
      // The withdrawn publish was not sent after the reconnection.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(events.map((event) => event.value)).not.to.include('lost');
    });
  }

  it('streams: with every link killed midway, a subscriber gets every value once, in order', async () => {
    const b = await broker();
    const events = watch(b.events$('k', { after: '0-0' }));
    const keys = ['rxjs-jsonrpc:seq:k', 'rxjs-jsonrpc:stream:k'];
    const script = { source: STREAM_PUBLISH_SCRIPT, keys, args: ['100000'] };
    const { resolved, killed } = await publishThroughKill(b, 'k', 400, 200, script);
    expect(killed).to.be.at.least(2); // the command and reader clients
    const entries = (await suite.redis.cli('XRANGE', keys[1]!, '-', '+')) as [string, string[]][];
    const stored = entries.map(([, fields]) => JSON.parse(fields[3]!) as unknown);
    expect(stored).to.include('elsewhere 5');
    await eventually('every stored value', () => events.length >= stored.length, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events.map((event) => event.value)).to.deep.equal(stored);
    expect(events.map((event) => event.value)).to.include.members(resolved);
    expect(events.map((event) => event.seq)).to.deep.equal(stored.map((_, i) => i + 1));
    expect(events.every((event) => event.dropped === 0)).to.equal(true);
  });

  it('pubsub: with every link killed midway, a subscriber gets values in order, and received + dropped = published', async () => {
    const subscriber = await broker({ mode: 'pubsub' });
    const publisher = await broker({ mode: 'pubsub' });
    const events = watch(subscriber.events$('k'));
    await eventually('subscribed', async () => {
      const reply = (await suite.redis.cli(
        'PUBSUB',
        'NUMSUB',
        'rxjs-jsonrpc:channel:k',
      )) as unknown[];
      return Number(reply[1]) === 1;
    });
    const keys = ['rxjs-jsonrpc:seq:k'];
    const script = { source: CHANNEL_PUBLISH_SCRIPT, keys, args: ['rxjs-jsonrpc:channel:k'] };
    const { killed } = await publishThroughKill(publisher, 'k', 400, 200, script);
    expect(killed).to.be.at.least(3); // two command clients, one subscriber
    // Until the subscriber is back: what it gets from then on, it gets all of.
    await eventually('a value after the resubscription', async () => {
      await publisher.publish('k', 'tail').catch(() => {});
      return events.at(-1)?.value === 'tail';
    });
    const lastSeq = Number(await suite.redis.cli('GET', keys[0]!));
    await eventually('the last value', () => events.at(-1)?.seq === lastSeq, 5_000);
    const seqs = events.map((event) => event.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).to.equal(seqs.length);
    const dropped = events.reduce((sum, event) => sum + event.dropped, 0);
    expect(dropped).to.be.at.least(5); // at least the values published elsewhere meanwhile
    expect(events.length + dropped).to.equal(lastSeq - events[0]!.seq + 1);
  });

  it('close() while Redis is stopped settles the publishes under way and closes every client', async () => {
    const b = await broker({ mode: 'streams', publishTimeoutMs: 300 });
    const events = watch(b.events$('t'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await suite.redis.pause();
    const pending = b.publish('t', 1).then(
      () => 'published',
      (error: Error) => error.message,
    );
    const started = Date.now();
    await b.close();
    expect(Date.now() - started).to.be.below(1_000);
    expect(await pending).to.equal('Publishing to topic "t" timed out after 300 ms');
    expect(events).to.deep.equal([]);
    await suite.redis.restart();
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past any reconnect delay
    const names = (await clientList(suite.redis)).map((client) => client.get('name'));
    expect(names).to.deep.equal([CLI_NAME]);
  });
});
