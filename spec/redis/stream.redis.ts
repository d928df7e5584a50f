/**
 * broker.stream(): a topic served to JSON-RPC clients, resumed on another broker (another
 * process, as a client reconnecting behind a load balancer would find it) — nothing lost nor
 * repeated in streams mode, the gap counted as dropped in pubsub mode — and a replay longer
 * than the subscription's queue completing through a transport that congests.
 */
import { expect } from 'chai';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  type JsonRpcError,
  type Transport,
} from '../../lib/index.js';
import {
  createRedisBroker,
  type RedisBroker,
  type RedisBrokerMode,
} from '../../lib/redis/index.js';
import { SlowWire } from '../helpers/congestible.js';
import { eventually, startRedis, type TestRedis } from '../helpers/redis.js';

describe('broker.stream()', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  const brokers: RedisBroker[] = [];
  const connections: JsonRpcConnection[] = [];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.close();
    for (const broker of brokers.splice(0)) await broker.close();
  });

  async function broker(mode: RedisBrokerMode, prefix: string): Promise<RedisBroker> {
    const made = await createRedisBroker({ socket: { path: redis.socketPath }, mode, prefix });
    brokers.push(made);
    return made;
  }

  /** A client of a server connection serving `ticks` from `from`. */
  function clientOf(from: RedisBroker, wrap?: (end: Transport) => Transport): JsonRpcConnection {
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    const server = new JsonRpcConnection(wrap ? wrap(serverEnd) : serverEnd);
    server.serve({ ticks: from.stream(() => 'ticks') });
    const client = new JsonRpcConnection(clientEnd);
    connections.push(client, server);
    return client;
  }

  /** Subscribes as observe$ would, by hand: the subscription id and what arrives. */
  async function subscribe(client: JsonRpcConnection, lastEventId?: string) {
    const got: { result: number; eventId?: string; dropped?: number }[] = [];
    const ends: unknown[] = [];
    client.notifications$.subscribe(({ params }) => {
      const note = params as {
        result?: number;
        eventId?: string;
        dropped?: number;
        error?: unknown;
        complete?: boolean;
      };
      if ('result' in note) got.push(note as (typeof got)[number]);
      else ends.push(note.error ?? 'complete');
    });
    const params = lastEventId === undefined ? undefined : { _meta: { lastEventId } };
    const id = (await client.request('ticks_subscribe', params)) as string;
    return { id, got, ends };
  }

  for (const mode of ['streams', 'pubsub'] as const) {
    it(`${mode}: resumes on another broker after the last value received`, async () => {
      const prefix = `resume-${mode}:`;
      const publisher = await broker(mode, prefix);
      const first = await subscribe(clientOf(await broker(mode, prefix)));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the reader is established
      for (let n = 1; n <= 100; n++) await publisher.publish('ticks', n);
      await eventually('100 values', () => first.got.length === 100);
      expect(first.got.map((g) => g.result)).to.deep.equal(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      const last = first.got[59]!.eventId!;
      // The client had received 60 values when its process died; 40 more were published since.
      const resumed = await subscribe(clientOf(await broker(mode, prefix)), last);
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let n = 101; n <= 110; n++) await publisher.publish('ticks', n);
      if (mode === 'streams') {
        await eventually('the 50 after it', () => resumed.got.length === 50);
        expect(resumed.got.map((g) => g.result)).to.deep.equal(
          Array.from({ length: 50 }, (_, i) => i + 61),
        );
        expect(resumed.got.some((g) => g.dropped !== undefined)).to.equal(false);
      } else {
        await eventually('the 10 live ones', () => resumed.got.length === 10);
        expect(resumed.got.map((g) => g.result)).to.deep.equal(
          Array.from({ length: 10 }, (_, i) => i + 101),
        );
        // Published since its last value and never to be received: 61 to 100, on the first value.
        expect(resumed.got[0]!.dropped).to.equal(40);
        expect(resumed.got.slice(1).some((g) => g.dropped !== undefined)).to.equal(false);
      }
    });
  }

  it('streams: a replay of 10,000 values completes through a transport that congests, without -32010', async () => {
    const prefix = 'replay:';
    const publisher = await broker('streams', prefix);
    const id = await publisher.publish('ticks', 0);
    const publishing: Promise<string>[] = [];
    for (let n = 1; n <= 10_000; n++) publishing.push(publisher.publish('ticks', n));
    await Promise.all(publishing);
    const client = clientOf(await broker('streams', prefix), (end) => new SlowWire(end));
    const replay = await subscribe(client, id);
    await eventually(
      '10,000 values',
      () => replay.got.length === 10_000 || replay.ends.length > 0,
      20_000,
    );
    expect(replay.ends).to.deep.equal([]);
    expect(replay.got.every((g, i) => g.result === i + 1)).to.equal(true);
  });

  it('streams: a slow replay while thousands more are published delivers every value once, in order', async () => {
    const prefix = 'slow-replay:';
    const publisher = await broker('streams', prefix);
    const start = await publisher.publish('ticks', 0);
    await Promise.all(Array.from({ length: 3_000 }, (_, i) => publisher.publish('ticks', i + 1)));
    const reader = await broker('streams', prefix);
    const got: number[] = [];
    const subscription = reader
      .events$('ticks', {
        after: start,
        drained: () => new Promise((resolve) => setTimeout(resolve, 100)),
      })
      .subscribe((event) => got.push(event.value as number));
    // More live values than a view buffers while it reads the history (2,000).
    await Promise.all(
      Array.from({ length: 5_000 }, (_, i) => publisher.publish('ticks', 3_001 + i)),
    );
    await eventually('8,000 values', () => got.length >= 8_000, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    subscription.unsubscribe();
    expect(got.length).to.equal(8_000);
    expect(got.every((value, i) => value === i + 1)).to.equal(true);
  });

  it('checks topicOf', async () => {
    const made = await broker('streams', 'checks:');
    expect(() => made.stream(42 as unknown as () => string)).to.throw(
      TypeError,
      'broker.stream() takes a function naming the topic, got number',
    );
    const client = clientOf(made);
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    const reported: unknown[] = [];
    const server = new JsonRpcConnection(serverEnd, undefined, {
      onError: (e) => reported.push(e),
    });
    server.serve({ bad: made.stream(() => '') });
    const other = new JsonRpcConnection(clientEnd);
    connections.push(server, other);
    const error = (await other.request('bad_subscribe').catch((e: unknown) => e)) as JsonRpcError;
    expect(error.code).to.equal(-32603);
    expect(String(reported[0])).to.equal(
      "TypeError: broker.stream()'s topicOf must return a non-empty string, got ",
    );
    expect(client.closed).to.equal(false);
  });
});
