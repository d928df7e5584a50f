/**
 * stream() served by serve(), spoken to frame by frame: the wire protocol of remote
 * Observables, its limits, and its teardown.
 */
import { expect } from 'chai';
import { defer, finalize, NEVER, of, Subject, throwError } from 'rxjs';
import {
  InvalidParamsError,
  JsonRpcError,
  stream,
  type JsonRpcStreamContext,
  type StreamOptions,
} from '../../lib/index.js';
import { RawPeer, settle } from '../helpers/pair.js';

interface Answer {
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const call = (id: number, method: string, params?: unknown): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });
const note = (method: string, params: object): unknown => ({ jsonrpc: '2.0', method, params });

/** A source that counts its subscribers and records the contexts it was given. */
function tracked<T>(options?: StreamOptions<T>) {
  const source$ = new Subject<T>();
  const contexts: JsonRpcStreamContext[] = [];
  let live = 0;
  const entry = stream((_params, context) => {
    contexts.push(context);
    return defer(() => {
      live++;
      return source$;
    }).pipe(finalize(() => live--));
  }, options);
  return { source$, entry, contexts, live: () => live };
}

/** Subscribes over the raw wire; the server's answer. */
async function subscribe(peer: RawPeer, method: string, params?: unknown, id = 1): Promise<Answer> {
  peer.send(call(id, method, params));
  return (await peer.read(1))[0] as Answer;
}

describe('stream() in serve()', () => {
  let peer: RawPeer;
  let reported: unknown[];
  beforeEach(() => {
    reported = [];
    peer = new RawPeer({ onError: (error) => reported.push(error) });
  });
  afterEach(() => peer.close());

  it('answers name_subscribe with an id, streams values, then completes and forgets it', async () => {
    const ticks = tracked<number>();
    peer.connection.serve({ ticks: ticks.entry });
    const answer = await subscribe(peer, 'ticks_subscribe', ['fast']);
    const id = answer.result as string;
    expect(id).to.match(/^0x[0-9a-f]{32}$/);
    expect(peer.connection.subscriptionCount).to.equal(1);
    ticks.source$.next(1);
    ticks.source$.next(2);
    ticks.source$.complete();
    expect(await peer.read(3)).to.deep.equal([
      note('ticks_subscription', { subscription: id, result: 1 }),
      note('ticks_subscription', { subscription: id, result: 2 }),
      note('ticks_subscription', { subscription: id, complete: true }),
    ]);
    expect(peer.connection.subscriptionCount).to.equal(0);
    expect(ticks.contexts[0]!.signal.aborted).to.equal(true);
    expect(ticks.contexts[0]!.subscription).to.equal(id);
  });

  it('ends with a JsonRpcError as it is, and anything else as -32603 with nothing inside', async () => {
    let failure: unknown = new InvalidParamsError('Bad window', { max: 10 });
    peer.connection.serve({ failing: stream(() => throwError(() => failure)) });
    const first = await subscribe(peer, 'failing_subscribe');
    expect(await peer.read(1)).to.deep.equal([
      note('failing_subscription', {
        subscription: first.result,
        error: { code: -32602, message: 'Bad window', data: { max: 10 } },
      }),
    ]);
    failure = new Error('secret path /etc/passwd');
    const second = await subscribe(peer, 'failing_subscribe', undefined, 2);
    expect(await peer.read(1)).to.deep.equal([
      note('failing_subscription', {
        subscription: second.result,
        error: { code: -32603, message: 'Internal error' },
      }),
    ]);
    expect(reported).to.deep.equal([failure]);
    expect(peer.connection.subscriptionCount).to.equal(0);
  });

  it('answers an error and starts nothing when the factory throws', async () => {
    peer.connection.serve({
      strict: stream((params) => {
        if (!Array.isArray(params)) throw new InvalidParamsError('Expected an array');
        throw new TypeError('oops');
      }),
    });
    expect(await subscribe(peer, 'strict_subscribe', {})).to.deep.equal({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: 'Expected an array' },
    });
    expect(await subscribe(peer, 'strict_subscribe', [], 2)).to.deep.equal({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32603, message: 'Internal error' },
    });
    expect(peer.connection.subscriptionCount).to.equal(0);
    expect(await peer.drain()).to.deep.equal([]);
  });

  it('sends the answer before values produced on subscribe', async () => {
    peer.connection.serve({ burst: stream(() => of('a', 'b')) });
    const answer = await subscribe(peer, 'burst_subscribe');
    expect(await peer.read(3)).to.deep.equal([
      note('burst_subscription', { subscription: answer.result, result: 'a' }),
      note('burst_subscription', { subscription: answer.result, result: 'b' }),
      note('burst_subscription', { subscription: answer.result, complete: true }),
    ]);
  });

  it('in a batch, holds the values until the whole batch is answered', async () => {
    let release: (value: string) => void = () => undefined;
    peer.connection.serve({
      burst: stream(() => of(1, 2)),
      slow: () => new Promise<string>((resolve) => (release = resolve)),
    });
    peer.send(`[${call(1, 'burst_subscribe')},${call(2, 'slow')}]`);
    expect(await peer.drain()).to.deep.equal([]);
    release('done');
    const [batch, ...values] = await peer.read(4);
    const answers = batch as Answer[];
    expect(answers).to.have.lengthOf(2);
    const id = answers.find((a) => a.id === 1)!.result;
    expect(values).to.deep.equal([
      note('burst_subscription', { subscription: id, result: 1 }),
      note('burst_subscription', { subscription: id, result: 2 }),
      note('burst_subscription', { subscription: id, complete: true }),
    ]);
  });

  it('unsubscribes by [S], { subscription } or { subscriptionId }: true, then false', async () => {
    const ticks = tracked<number>();
    const other = tracked<number>();
    peer.connection.serve({ ticks: ticks.entry, other: other.entry });
    const ids: unknown[] = [];
    for (let i = 1; i <= 3; i++) ids.push((await subscribe(peer, 'ticks_subscribe', [], i)).result);
    const foreign = (await subscribe(peer, 'other_subscribe', [], 4)).result;
    expect([ticks.live(), other.live(), peer.connection.subscriptionCount]).to.deep.equal([
      3, 1, 4,
    ]);
    const forms = [[ids[0]], { subscription: ids[1] }, { subscriptionId: ids[2] }];
    for (const [index, params] of forms.entries()) {
      expect(await subscribe(peer, 'ticks_unsubscribe', params, 10 + index)).to.deep.include({
        result: true,
      });
    }
    expect(ticks.live()).to.equal(0);
    expect(ticks.contexts.map((c) => c.signal.aborted)).to.deep.equal([true, true, true]);
    for (const params of [[ids[0]], ['0xunknown'], [42], [], [foreign], {}]) {
      const answer = await subscribe(peer, 'ticks_unsubscribe', params, 20);
      expect(answer.result ?? answer.error, JSON.stringify(params)).to.equal(false);
    }
    ticks.source$.next(1);
    expect(await peer.drain()).to.deep.equal([]);
    expect([other.live(), peer.connection.subscriptionCount]).to.deep.equal([1, 1]);
  });

  it('with terminal: false, ends without a terminal notification (the Ethereum way)', async () => {
    const heads = new Subject<{ number: string }>();
    peer.connection.serve({
      eth: stream(
        (params) => {
          const [kind] = params as [string];
          if (kind !== 'newHeads') throw new InvalidParamsError(`Unknown kind: ${kind}`);
          return heads;
        },
        { terminal: false },
      ),
    });
    const answer = await subscribe(peer, 'eth_subscribe', ['newHeads']);
    heads.next({ number: '0x1' });
    heads.complete();
    expect(await peer.read(1)).to.deep.equal([
      note('eth_subscription', { subscription: answer.result, result: { number: '0x1' } }),
    ]);
    expect(await peer.drain()).to.deep.equal([]);
    expect(peer.connection.subscriptionCount).to.equal(0);
    const wrong = await subscribe(peer, 'eth_subscribe', ['logs'], 2);
    expect(wrong.error).to.deep.equal({ code: -32602, message: 'Unknown kind: logs' });
  });

  it('takes its three method names from options', async () => {
    const ticks = tracked<number>({
      subscribe: 'watch',
      unsubscribe: 'unwatch',
      notification: 'changed',
    });
    peer.connection.serve({ ticks: ticks.entry });
    expect((await subscribe(peer, 'ticks_subscribe')).error?.code).to.equal(-32601);
    const id = (await subscribe(peer, 'watch', [], 2)).result;
    ticks.source$.next(7);
    expect(await peer.read(1)).to.deep.equal([note('changed', { subscription: id, result: 7 })]);
    expect((await subscribe(peer, 'unwatch', [id], 3)).result).to.equal(true);
    expect(ticks.live()).to.equal(0);
  });

  it('answers -32011 past maxSubscriptions, and counts again after an unsubscribe', async () => {
    peer.connection.serve({ ticks: tracked<number>().entry }, { maxSubscriptions: 2 });
    const first = (await subscribe(peer, 'ticks_subscribe', [], 1)).result;
    await subscribe(peer, 'ticks_subscribe', [], 2);
    expect((await subscribe(peer, 'ticks_subscribe', [], 3)).error).to.deep.equal({
      code: -32011,
      message: 'Too many subscriptions',
      data: { maxSubscriptions: 2 },
    });
    expect(peer.connection.subscriptionCount).to.equal(2);
    await subscribe(peer, 'ticks_unsubscribe', [first], 4);
    expect((await subscribe(peer, 'ticks_subscribe', [], 5)).result).to.be.a('string');
  });

  it('tears every subscription down when the connection closes', async () => {
    const ticks = tracked<number>();
    peer.connection.serve({ ticks: ticks.entry });
    await subscribe(peer, 'ticks_subscribe', [], 1);
    await subscribe(peer, 'ticks_subscribe', [], 2);
    expect(ticks.live()).to.equal(2);
    peer.wire.complete();
    await settle();
    expect(peer.connection.closed).to.equal(true);
    expect([ticks.live(), peer.connection.subscriptionCount]).to.deep.equal([0, 0]);
    expect(ticks.contexts.every((c) => c.signal.aborted)).to.equal(true);
  });

  it('when serving stops, ends each subscription with -32800 and tears it down', async () => {
    const ticks = tracked<number>();
    const serving = peer.connection.serve({ ticks: ticks.entry });
    const id = (await subscribe(peer, 'ticks_subscribe')).result;
    serving.unsubscribe();
    expect(await peer.read(1)).to.deep.equal([
      note('ticks_subscription', {
        subscription: id,
        error: { code: -32800, message: 'Subscription cancelled' },
      }),
    ]);
    expect([ticks.live(), peer.connection.subscriptionCount]).to.deep.equal([0, 0]);
  });

  it('starts nothing for a subscribe sent as a notification, and answers the entry name -32601', async () => {
    const ticks = tracked<number>();
    peer.connection.serve({ ticks: ticks.entry });
    peer.send('{"jsonrpc":"2.0","method":"ticks_subscribe"}');
    expect(await peer.drain()).to.deep.equal([]);
    expect([ticks.live(), ticks.contexts.length]).to.deep.equal([0, 0]);
    expect((await subscribe(peer, 'ticks')).error?.code).to.equal(-32601);
  });

  it('ends with -32603 on a value JSON cannot carry', async () => {
    peer.connection.serve({ big: stream(() => of(1n)) });
    const id = (await subscribe(peer, 'big_subscribe')).result;
    expect(await peer.read(1)).to.deep.equal([
      note('big_subscription', {
        subscription: id,
        error: { code: -32603, message: 'Internal error' },
      }),
    ]);
    expect(reported).to.have.lengthOf(1);
  });

  it('runs middleware around subscribe and unsubscribe', async () => {
    const seen: string[] = [];
    peer.connection.serve(
      { ticks: tracked<number>().entry },
      {
        middleware: [
          (context, next) => {
            seen.push(context.method);
            if (context.request.params === undefined) throw new JsonRpcError(-32001, 'Denied');
            return next();
          },
        ],
      },
    );
    expect((await subscribe(peer, 'ticks_subscribe')).error).to.deep.equal({
      code: -32001,
      message: 'Denied',
    });
    expect(peer.connection.subscriptionCount).to.equal(0);
    const id = (await subscribe(peer, 'ticks_subscribe', ['token'], 2)).result;
    expect((await subscribe(peer, 'ticks_unsubscribe', [id], 3)).result).to.equal(true);
    expect(seen).to.deep.equal(['ticks_subscribe', 'ticks_subscribe', 'ticks_unsubscribe']);
    expect(peer.connection.subscriptionCount).to.equal(0);
  });

  it('resumes: tags values with eventId, hands lastEventId to the factory, or answers -32012', async () => {
    const seen: unknown[] = [];
    peer.connection.serve({
      events: stream(
        (_params, { lastEventId }) => {
          seen.push(lastEventId);
          return of({ seq: 5 });
        },
        { eventId: (value) => value.seq },
      ),
      plain: stream(() => NEVER),
    });
    const id = (await subscribe(peer, 'events_subscribe', { _meta: { lastEventId: 4 } })).result;
    expect(await peer.read(1)).to.deep.equal([
      note('events_subscription', { subscription: id, result: { seq: 5 }, eventId: 5 }),
    ]);
    expect(seen).to.deep.equal([4]);
    await peer.read(1); // its completion
    expect(
      (await subscribe(peer, 'plain_subscribe', { _meta: { lastEventId: 4 } }, 2)).error,
    ).to.deep.equal({
      code: -32012,
      message: 'Cannot resume this stream',
      data: { lastEventId: 4 },
    });
  });

  it('validates its options loudly', () => {
    expect(() => stream(42 as never)).to.throw(
      TypeError,
      'stream() takes a function returning an Observable, got number',
    );
    expect(() => stream(() => NEVER, { overflow: 'drop' as never })).to.throw(
      TypeError,
      `The "overflow" option must be 'error', 'drop-oldest' or 'keep-latest', got drop`,
    );
    expect(() => stream(() => NEVER, { maxQueue: 0 })).to.throw(
      RangeError,
      'The "maxQueue" option must be a positive integer, got 0',
    );
    expect(() => stream(() => NEVER, { terminal: 'no' as never })).to.throw(
      TypeError,
      'The "terminal" option must be a boolean, got no',
    );
    expect(() => stream(() => NEVER, { subscribe: '' })).to.throw(
      TypeError,
      'The "subscribe" option must be a non-empty string, got ',
    );
    expect(() => peer.connection.serve({ a: stream(() => NEVER), a_subscribe: () => 1 })).to.throw(
      TypeError,
      'serve(): the method "a_subscribe" of stream "a" is defined twice',
    );
    expect(() =>
      peer.connection.serve({ a: stream(() => NEVER) }, { maxSubscriptions: -1 }),
    ).to.throw(RangeError, 'The "maxSubscriptions" option must be a positive integer, got -1');
  });
});
