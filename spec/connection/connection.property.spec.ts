/**
 * Property: random sequences of requests, notifications, batches, aborts, timeouts, link drops
 * and refusals, observe$() subscriptions and feed values, then close(), against a recording
 * peer, under fake timers (a run is deterministic and takes no real time). Once things settle
 * on an open link, and again after close():
 * - every call settled for a reason it had (its abort, its timeout, a lost link, the close, a
 *   refusal the model of `maxWaitingCalls` / `whileReconnecting` predicts), or is pending on
 *   the live link because its handler (or a batch sibling's) still runs;
 * - nothing is written after it was given up on (an aborted call never), nothing twice,
 *   everything in the order it was made; a cancel only for a request sent on its link; an
 *   unsubscribe only with an id its own link's server gave;
 * - `pendingCount`, `observedCount`, the server's `incomingCount` and `subscriptionCount` equal
 *   the live calls and subscriptions, and one more feed value reaches each live one;
 * - close() leaves no promise pending, no timer and no subscription, and writes nothing.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { map, of, Subject, type Observable, type Subscription } from 'rxjs';
import sinon from 'sinon';
import {
  ConnectionClosedError,
  RequestCancelledError,
  RequestTimeoutError,
  stream,
  type JsonRpcConnection,
  type RequestOptions,
} from '../../lib/index.js';
import { recordedLinks, type WrittenCall } from '../helpers/recorded-links.js';

/** Runs of the property; each one is a few ms of fake time. */
const NUM_RUNS = 200;
const MAX_TIMEOUT_MS = 5;
const SLOW_MS = 2;

/** `echo` answers at once, `slow` after SLOW_MS, `hang` only when cancelled. */
type Kind = 'echo' | 'slow' | 'hang';
interface CallSpec {
  kind: Kind;
  signal: boolean;
  timeoutMs: number;
}
type Command =
  | ({ op: 'request' } & CallSpec)
  | { op: 'notify' }
  | {
      op: 'batch';
      members: (CallSpec & { notify: boolean })[];
      abortInside: number | undefined;
      throwInside: boolean;
    }
  /** Aborts the nth newest call whose signal is not aborted yet. */
  | { op: 'abort'; nth: number }
  | { op: 'observe'; stream: 'feed' | 'once'; timeoutMs: number }
  /** Unsubscribes the nth newest live observe$() subscription. */
  | { op: 'unsubscribe'; nth: number }
  /** Every feed served emits once. */
  | { op: 'tick' }
  /** Drops the link; `noticed`: then lets the client see it (else calls race the drop). */
  | { op: 'drop'; noticed: boolean }
  | { op: 'refuse'; refusing: boolean }
  /** Lets `turns` microtasks run: part of what is in flight arrives. */
  | { op: 'yield'; turns: number }
  /** Lets every microtask run (0), or `ms` of fake time pass. */
  | { op: 'wait'; ms: number };
interface Scenario {
  whileReconnecting: 'wait' | 'reject';
  maxWaitingCalls: number;
  commands: Command[];
  /** Close once things settled on an open link (checked first), or at once, whatever is in flight. */
  closeWhen: 'settled' | 'at-once';
}

const callFields = {
  kind: fc.constantFrom<Kind>('echo', 'slow', 'hang'),
  signal: fc.boolean(),
  timeoutMs: fc.constantFrom(0, 1, 3, MAX_TIMEOUT_MS),
};
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('request' as const), ...callFields }) },
  { weight: 1, arbitrary: fc.constant({ op: 'notify' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('batch' as const),
      members: fc.array(fc.record({ ...callFields, notify: fc.boolean() }), {
        minLength: 1,
        maxLength: 4,
      }),
      abortInside: fc.option(fc.nat(3), { nil: undefined }),
      throwInside: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('abort' as const), nth: fc.nat(7) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('observe' as const),
      stream: fc.constantFrom<'feed' | 'once'>('feed', 'once'),
      timeoutMs: callFields.timeoutMs,
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unsubscribe' as const), nth: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'tick' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), noticed: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('refuse' as const), refusing: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('yield' as const), turns: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.nat(3) }) },
);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  whileReconnecting: fc.constantFrom<'wait' | 'reject'>('wait', 'reject'),
  maxWaitingCalls: fc.constantFrom(1000, 1, 3),
  commands: fc.array(command, { maxLength: 24 }),
  closeWhen: fc.constantFrom<'settled' | 'at-once'>('settled', 'at-once'),
});

/** How a promise or a subscription ended, and what held at that moment. */
interface Ending {
  ok: boolean;
  value?: unknown;
  error?: unknown;
  /** The client was closed. */
  closed: boolean;
  /** A link the call was written on had ended. */
  lost: boolean;
  /** Fake time. */
  at: number;
}
interface Made {
  readonly token: number;
  /** Fake time when it was made. */
  readonly madeAt: number;
  /** Made while the link was down: it waits, or is refused. */
  readonly offline: boolean;
  /** Refused, by the model: made offline with 'reject', or past maxWaitingCalls. */
  refused: boolean;
  /** Made in a batch whose build threw: never to be sent. */
  discarded: boolean;
  ending: Ending | undefined;
  /** Times written when it was given up on (settled, aborted, unsubscribed): never more. */
  frozen: number | undefined;
}
interface CallMade extends Made, CallSpec {
  readonly controller: AbortController | undefined;
}
interface NoteMade extends Made {
  /** A member of a batch: no promise of its own. */
  readonly inBatch: boolean;
}
interface ObserverMade extends Made {
  readonly stream: 'feed' | 'once';
  readonly timeoutMs: number;
  subscription: Subscription | undefined;
  unsubscribed: boolean;
  readonly values: unknown[];
}

class BuildError extends Error {}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The `nth` newest of `items` (not empty), counting round. */
function newest<T>(items: readonly T[], nth: number): T {
  return items[items.length - 1 - (nth % items.length)]!;
}

async function microtasks(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await Promise.resolve();
}

/** One run: the client, its links, what it made, and the checks. */
class Run {
  readonly pair: ReturnType<typeof recordedLinks>;
  readonly calls: CallMade[] = [];
  private readonly callsByToken = new Map<number, CallMade>();
  readonly notes: NoteMade[] = [];
  readonly observers: ObserverMade[] = [];
  /** Each tick, every feed the servers serve emits its subscriber's token. */
  readonly ticks = new Subject<void>();
  readonly clientErrors: unknown[] = [];
  readonly serverErrors: unknown[] = [];
  /** Batches refused with notifications in them: each one is an onError call. */
  refusedNotifying = 0;
  private nextToken = 1;

  constructor(
    readonly scenario: Scenario,
    readonly clock: sinon.SinonFakeTimers,
  ) {
    const { whileReconnecting, maxWaitingCalls } = scenario;
    this.pair = recordedLinks((server) => serveAll(server, this.ticks), {
      client: { whileReconnecting, maxWaitingCalls, onError: (e) => this.clientErrors.push(e) },
      server: { onError: (error) => this.serverErrors.push(error) },
    });
  }

  get client(): JsonRpcConnection {
    return this.pair.client;
  }

  /** The calls waiting for the link now, as the connection counts them for maxWaitingCalls. */
  waitingCalls(): number {
    const now = this.clock.now;
    const parked = (made: Made): boolean =>
      made.offline && !made.refused && !made.discarded && this.writes(made.token).length === 0;
    const calls = this.calls.filter(
      (call) =>
        parked(call) &&
        call.controller?.signal.aborted !== true &&
        !(call.timeoutMs > 0 && now >= call.madeAt + call.timeoutMs),
    );
    const observers = this.observers.filter((o) => parked(o) && !o.ending && !o.unsubscribed);
    return calls.length + this.notes.filter(parked).length + observers.length;
  }

  /** Whether the connection must refuse `count` more calls now, `waiting` calls waiting. */
  refuses(waiting: number, count: number): boolean {
    if (this.client.state === 'open') return false;
    const { whileReconnecting, maxWaitingCalls } = this.scenario;
    return whileReconnecting === 'reject' || waiting + count > maxWaitingCalls;
  }

  /**
   * True for a request that awaits its answer for good on the live link: a `hang` with no
   * timeout and no abort, or a batch member whose batch is answered only once such a `hang` is.
   */
  isHeld(call: CallMade, liveLink: number): boolean {
    const [write] = this.writes(call.token);
    if (!waitsForever(call) || write?.link !== liveLink) return false;
    return this.pair.written.some((other) => {
      if (other.frame !== write.frame || !Array.isArray(other.params)) return false;
      const sibling = this.callsByToken.get((other.params as unknown[])[0] as number);
      return sibling !== undefined && sibling.kind === 'hang' && waitsForever(sibling);
    });
  }

  /** Every call with `token` the client wrote, in order. */
  writes(token: number): WrittenCall[] {
    return this.pair.written.filter(
      (call) => Array.isArray(call.params) && (call.params as unknown[])[0] === token,
    );
  }

  /** Runs a command: at once, but for a yield or a wait. */
  execute(command: Command): Promise<void> | undefined {
    if (command.op === 'yield') return microtasks(command.turns);
    if (command.op === 'drop') {
      this.pair.drop();
      return command.noticed ? flush() : undefined;
    }
    if (command.op === 'wait') {
      return command.ms === 0 ? flush() : this.clock.tickAsync(command.ms).then(() => undefined);
    }
    this.act(command);
    return undefined;
  }

  private act(command: Exclude<Command, { op: 'yield' | 'wait' | 'drop' }>): void {
    switch (command.op) {
      case 'request': {
        const call = this.newCall(command, this.refuses(this.waitingCalls(), 1));
        return this.track(call, this.client.request(call.kind, [call.token], optionsOf(call)));
      }
      case 'notify': {
        const note = this.newNote(false, this.refuses(this.waitingCalls(), 1));
        return this.track(note, this.client.notify('note', [note.token]));
      }
      case 'batch':
        return this.batch(command);
      case 'abort': {
        const live = this.calls.filter(
          (call) => call.controller && !call.controller.signal.aborted,
        );
        if (live.length > 0) this.abort(newest(live, command.nth));
        return;
      }
      case 'observe':
        return this.observe(command.stream, command.timeoutMs);
      case 'unsubscribe': {
        const live = this.observers.filter((o) => !o.ending && !o.unsubscribed);
        if (live.length === 0) return;
        const observer = newest(live, command.nth);
        observer.frozen ??= this.writes(observer.token).length;
        observer.unsubscribed = true;
        return observer.subscription!.unsubscribe();
      }
      case 'tick':
        return this.ticks.next();
      case 'refuse':
        this.pair.state.refusing = command.refusing;
        return;
    }
  }

  private batch(command: Extract<Command, { op: 'batch' }>): void {
    const errorsBefore = this.clientErrors.length;
    // Each request is checked as it is made, the batch as a whole once built.
    const waiting = this.waitingCalls();
    const calls: CallMade[] = [];
    const notes: NoteMade[] = [];
    try {
      this.client.batch((b) => {
        for (const member of command.members) {
          if (member.notify) {
            const note = this.newNote(true, false);
            notes.push(note);
            b.notify('note', [note.token]);
          } else {
            const call = this.newCall(member, this.refuses(waiting, 1));
            calls.push(call);
            this.track(call, b.request(call.kind, [call.token], optionsOf(call)));
          }
        }
        const signalled = calls.filter((call) => call.controller);
        if (command.abortInside !== undefined && signalled.length > 0) {
          this.abort(signalled[command.abortInside % signalled.length]!);
        }
        if (command.throwInside) throw new BuildError('build threw');
      });
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      for (const made of [...calls, ...notes]) made.discarded = true;
      return;
    }
    const sent = [...calls.filter((c) => !c.refused && waitsForAbort(c)), ...notes];
    if (sent.length > 0 && this.refuses(waiting, sent.length)) {
      for (const made of sent) made.refused = true;
      if (notes.length > 0) this.refusedNotifying++;
    }
    const reported = this.clientErrors.length - errorsBefore;
    expect(reported, "onError: a refused batch's notifications").to.equal(
      notes.length > 0 && notes[0]!.refused ? 1 : 0,
    );
  }

  private observe(name: 'feed' | 'once', timeoutMs: number): void {
    const observer: ObserverMade = {
      ...this.newMade(this.refuses(this.waitingCalls(), 1)),
      stream: name,
      timeoutMs,
      subscription: undefined,
      unsubscribed: false,
      values: [],
    };
    this.observers.push(observer);
    observer.subscription = this.client
      .observe$(name, [observer.token], { timeout: timeoutMs })
      .subscribe({
        next: (value) => observer.values.push(value),
        error: (error: unknown) => this.end(observer, { ok: false, error }),
        complete: () => this.end(observer, { ok: true }),
      });
  }

  private abort(call: CallMade): void {
    call.frozen ??= this.writes(call.token).length;
    call.controller!.abort();
  }

  private newMade(refused: boolean): Made {
    const token = this.nextToken++;
    const [madeAt, offline] = [this.clock.now, this.client.state !== 'open'];
    const ending = undefined;
    return { token, madeAt, offline, refused, discarded: false, ending, frozen: undefined };
  }

  private newCall(spec: CallSpec, refused: boolean): CallMade {
    const controller = spec.signal ? new AbortController() : undefined;
    const call: CallMade = { ...this.newMade(refused), ...spec, controller };
    this.calls.push(call);
    this.callsByToken.set(call.token, call);
    return call;
  }

  private newNote(inBatch: boolean, refused: boolean): NoteMade {
    const note: NoteMade = { ...this.newMade(refused), inBatch };
    this.notes.push(note);
    return note;
  }

  private track(made: Made, promise: Promise<unknown>): void {
    promise.then(
      (value) => this.end(made, { ok: true, value }),
      (error: unknown) => this.end(made, { ok: false, error }),
    );
  }

  private end(made: Made, how: Pick<Ending, 'ok' | 'value' | 'error'>): void {
    const writes = this.writes(made.token);
    const { links } = this.pair;
    const lost = writes.some((write) => links[write.link]!.ended);
    made.ending = { ...how, closed: this.client.closed, lost, at: this.clock.now };
    made.frozen ??= writes.length;
  }
}

function serveAll(server: JsonRpcConnection, ticks: Observable<void>): void {
  server.serve({
    echo: (params) => params,
    slow: (params, { signal }) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(params), SLOW_MS);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve(null);
          },
          { once: true },
        );
      }),
    // Pending until the client gives up on it (its cancel aborts the signal) or the link ends.
    hang: (_params, { signal }) =>
      new Promise((resolve) =>
        signal.addEventListener('abort', () => resolve(null), { once: true }),
      ),
    feed: stream((params) => ticks.pipe(map(() => (params as unknown[])[0]))),
    once: stream(() => of('only')),
  });
}

/** Not aborted (yet). */
function waitsForAbort(call: CallMade): boolean {
  return call.controller?.signal.aborted !== true;
}

/** No timeout, no abort: only an answer or a lost link ends it. */
function waitsForever(call: CallMade): boolean {
  return call.timeoutMs === 0 && waitsForAbort(call);
}

function optionsOf(call: CallMade): RequestOptions {
  return { signal: call.controller?.signal, timeout: call.timeoutMs };
}

/** Waits (in fake time, bounded) for the link to be open. */
async function untilOpen(run: Run): Promise<void> {
  for (let ms = 0; ms < 20 && run.client.state !== 'open'; ms++) await run.clock.tickAsync(1);
}

async function runScenario(scenario: Scenario): Promise<void> {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const run = new Run(scenario, clock);
  try {
    await untilOpen(run);
    // Commands run back to back, in one synchronous stretch up to the next yield or wait.
    for (const command of scenario.commands) {
      const pending = run.execute(command);
      if (pending) await pending;
    }
    if (scenario.closeWhen === 'settled') {
      // Every timer of the run expires, on an open link.
      run.pair.state.refusing = false;
      await untilOpen(run);
      await clock.tickAsync(MAX_TIMEOUT_MS + 1);
      await flush();
      checkOpen(run);
      await checkTick(run);
    }
    const writtenBeforeClose = run.pair.written.length;
    await run.client.close();
    await flush();
    expect(clock.countTimers(), 'timers left behind by close()').to.equal(0);
    await clock.tickAsync(MAX_TIMEOUT_MS + 1);
    checkClosed(run, writtenBeforeClose);
  } finally {
    await run.client.close();
    for (const link of run.pair.links) await link.server.close();
    clock.restore();
  }
}

/** Once things settled on an open link. */
function checkOpen(run: Run): void {
  const { client, pair } = run;
  expect(client.state, 'the link is open again').to.equal('open');
  const current = pair.current()!;
  for (const call of run.calls) checkCall(run, call, current.index);
  for (const note of run.notes) checkNote(run, note, true);
  for (const observer of run.observers) checkObserver(run, observer, current.index);
  const pending = run.calls.filter((call) => !call.ending);
  expect(client.pendingCount, 'pendingCount: the requests still pending').to.equal(pending.length);
  const running = pending.filter((call) => call.kind === 'hang').length;
  expect(current.server.incomingCount, 'calls still running on the server').to.equal(running);
  const live = run.observers.filter((o) => !o.ending && !o.unsubscribed).length;
  expect(client.observedCount, 'observedCount: the live observe$() subscriptions').to.equal(live);
  expect(current.server.subscriptionCount, "the server's live subscriptions").to.equal(live);
  for (const link of pair.links.slice(0, -1)) {
    expect(link.server.closed, `the server of lost link ${link.index} is closed`).to.equal(true);
    expect(link.server.subscriptionCount, `subscriptions of lost link ${link.index}`).to.equal(0);
  }
  checkWire(run);
}

/** One more tick of the feeds reaches every live subscription once, and no other. */
async function checkTick(run: Run): Promise<void> {
  const before = run.observers.map((observer) => observer.values.length);
  run.ticks.next();
  await flush();
  run.observers.forEach((observer, index) => {
    const live = !observer.ending && !observer.unsubscribed;
    const what = `observe$ ${observer.token} (${live ? 'live' : 'ended'})`;
    const got = observer.values.length - before[index]!;
    expect(got, `${what}: values from one tick`).to.equal(live ? 1 : 0);
  });
}

/** After close(): everything ended, nothing written by the close. */
function checkClosed(run: Run, writtenBeforeClose: number): void {
  const { client, pair } = run;
  for (const call of run.calls) checkCall(run, call, undefined);
  for (const note of run.notes) checkNote(run, note, false);
  for (const observer of run.observers) checkObserver(run, observer, undefined);
  expect([client.state, client.pendingCount, client.observedCount]).to.deep.equal(['closed', 0, 0]);
  for (const link of pair.links) {
    const { server } = link;
    expect(
      [server.closed, server.subscriptionCount, server.incomingCount],
      `the server of link ${link.index}: closed, no subscription, no call running`,
    ).to.deep.equal([true, 0, 0]);
  }
  expect(pair.written.length, 'frames written by or after close()').to.equal(writtenBeforeClose);
  checkWire(run);
}

/** Something refused: rejected (or errored) with ConnectionClosedError, never written. */
function checkRefused(what: string, made: Made, writes: number): void {
  expect(made.ending?.error, `${what}: not refused`).to.be.instanceOf(ConnectionClosedError);
  expect(writes, `${what}: refused, yet written`).to.equal(0);
}

/** A request: written once at most, never after it was given up on; pending only on the live link. */
function checkCall(run: Run, call: CallMade, liveLink: number | undefined): void {
  const what = `request ${call.token} (${call.kind}, signal ${call.signal}, timeout ${call.timeoutMs})`;
  const links = run.writes(call.token).map((write) => write.link);
  expect(links.length, `${what}: written more than once`).to.be.at.most(1);
  if (call.frozen !== undefined) {
    expect(links.length, `${what}: written after it was given up on`).to.equal(call.frozen);
  }
  if (call.discarded)
    expect(links, `${what}: its batch() threw, yet it was written`).to.deep.equal([]);
  if (call.refused) return checkRefused(what, call, links.length);
  const held = liveLink !== undefined && run.isHeld(call, liveLink);
  if (held) expect(call.ending, `${what}: settled while held on the live link`).to.equal(undefined);
  if (!call.ending) {
    expect(held, `${what}: still pending, not a call held on the live link`).to.equal(true);
    return;
  }
  const { ok, value, error } = call.ending;
  if (ok) {
    expect(call.kind, `${what}: resolved`).to.not.equal('hang');
    expect([value, links.length], `${what}: resolved`).to.deep.equal([[call.token], 1]);
  } else if (error instanceof RequestCancelledError) {
    const why = call.controller?.signal.aborted === true || call.discarded;
    expect(why, `${what}: cancelled, yet neither aborted nor in a batch() that threw`).to.equal(
      true,
    );
  } else if (error instanceof RequestTimeoutError) {
    expect(call.timeoutMs, `${what}: timed out without a timeout`).to.be.above(0);
    const waited = call.ending.at - call.madeAt;
    expect(waited, `${what}: timed out early`).to.be.at.least(call.timeoutMs);
  } else if (error instanceof ConnectionClosedError) {
    const why = call.ending.closed || call.ending.lost;
    expect(why, `${what}: '${error.message}' with no close, lost link or refusal`).to.equal(true);
  } else {
    expect.fail(`${what}: rejected with ${String(error)}`);
  }
}

/** A notification: written once, or never when refused, discarded or rejected. */
function checkNote(run: Run, note: NoteMade, open: boolean): void {
  const what = `notification ${note.token}${note.inBatch ? ' (in a batch)' : ''}`;
  const count = run.writes(note.token).length;
  expect(count, `${what}: written more than once`).to.be.at.most(1);
  if (note.inBatch) {
    if (note.discarded || note.refused) expect(count, `${what}: not sent, yet written`).to.equal(0);
    else if (open) expect(count, `${what}: never written on an open link`).to.equal(1);
    return;
  }
  if (note.refused) return checkRefused(what, note, count);
  expect(note.ending, `${what}: its promise is still pending`).to.not.equal(undefined);
  const { ok, error, closed } = note.ending!;
  if (ok) return void expect(count, `${what}: resolved, yet never written`).to.equal(1);
  expect(error, `${what}: rejected`).to.be.instanceOf(ConnectionClosedError);
  expect(closed, `${what}: rejected, with no close or refusal`).to.equal(true);
  expect(count, `${what}: rejected, yet written`).to.equal(0);
}

/** An observe$(): subscribed once per link while live, never again once ended. */
function checkObserver(run: Run, observer: ObserverMade, liveLink: number | undefined): void {
  const what = `observe$ ${observer.token} (${observer.stream}, timeout ${observer.timeoutMs})`;
  const links = run.writes(observer.token).map((write) => write.link);
  expect(new Set(links).size, `${what}: subscribed twice on one link`).to.equal(links.length);
  if (observer.frozen !== undefined) {
    expect(links.length, `${what}: subscribed after it ended`).to.equal(observer.frozen);
  }
  if (observer.refused) return checkRefused(what, observer, links.length);
  const expected = observer.stream === 'feed' ? observer.token : 'only';
  const foreign = observer.values.filter((value) => value !== expected);
  expect(foreign, `${what}: values of another subscription`).to.deep.equal([]);
  if (observer.stream === 'once') {
    expect(observer.values.length, `${what}: values of a stream of one`).to.be.at.most(1);
    if (observer.ending?.ok === true) {
      expect(observer.values, `${what}: completed without its value`).to.deep.equal(['only']);
    }
  }
  if (!observer.ending) {
    if (observer.unsubscribed) return;
    expect(liveLink, `${what}: still live after close()`).to.not.equal(undefined);
    expect(observer.stream, `${what}: a stream ending at once is still live`).to.equal('feed');
    expect(links, `${what}: live, not subscribed on the live link`).to.include(liveLink);
    return;
  }
  const { ok, error, closed } = observer.ending;
  if (ok) {
    expect(observer.stream, `${what}: completed`).to.equal('once');
  } else if (error instanceof RequestTimeoutError) {
    // A subscribe is answered at once on an open link: only one waiting for a link times out.
    const waited = observer.ending.at - observer.madeAt;
    expect(observer.timeoutMs, `${what}: timed out without a timeout`).to.be.above(0);
    expect(waited, `${what}: timed out early`).to.be.at.least(observer.timeoutMs);
    expect([observer.offline, links], `${what}: timed out, not waiting for a link`).to.deep.equal([
      true,
      [],
    ]);
  } else if (error instanceof ConnectionClosedError) {
    expect(closed, `${what}: '${error.message}' with no close or refusal`).to.equal(true);
  } else {
    expect.fail(`${what}: errored with ${String(error)}`);
  }
}

/** The wire: calls in the order they were made; a cancel only for a request sent on its link. */
function checkWire(run: Run): void {
  const observed = new Set(run.observers.map((observer) => observer.token));
  const { written } = run.pair;
  let last = 0;
  written.forEach((call, index) => {
    if (call.method === '$/cancelRequest') {
      const { id } = call.params as { id: unknown };
      const sent = written.slice(0, index).some((c) => c.id === id && c.link === call.link);
      expect(sent, `a cancel of request id ${String(id)} never sent on link ${call.link}`).to.equal(
        true,
      );
      return;
    }
    const token = Array.isArray(call.params) ? (call.params as unknown[])[0] : undefined;
    if (typeof token !== 'number' || observed.has(token)) return;
    expect(token, `call ${token} written after call ${last}`).to.be.above(last);
    last = token;
  });
  checkUnsubscribes(run);
  expect(run.serverErrors, "the servers' onError").to.deep.equal([]);
  expect(run.clientErrors.length, "the client's onError: refused notifications").to.equal(
    run.refusedNotifying,
  );
  for (const error of run.clientErrors) {
    expect(error, "the client's onError").to.be.instanceOf(ConnectionClosedError);
  }
}

/**
 * Each `name_unsubscribe` names an id its own link's server gave (never a stale one), once;
 * a `feed` never ends by itself, so its unsubscribe is answered `true`.
 */
function checkUnsubscribes(run: Run): void {
  const { written, received } = run.pair;
  const named = new Set<unknown>();
  for (const call of written) {
    const stream = /^(feed|once)_unsubscribe$/.exec(String(call.method))?.[1];
    if (stream === undefined) continue;
    const [id] = call.params as unknown[];
    const what = `${String(call.method)} [${String(id)}] on link ${call.link}`;
    const subscribes = written.filter(
      (c) => c.link === call.link && c.method === `${stream}_subscribe`,
    );
    const given = received.some(
      (answer) =>
        answer.link === call.link &&
        answer.result === id &&
        subscribes.some((c) => c.id === answer.id),
    );
    expect(given, `${what}: an id this link's server never gave`).to.equal(true);
    expect(named.has(id), `${what}: unsubscribed twice`).to.equal(false);
    named.add(id);
    const answer = received.find((a) => a.link === call.link && a.id === call.id);
    if (stream === 'feed' && answer) expect(answer.result, `${what}: answered`).to.equal(true);
  }
}

describe('a reconnecting connection under random calls, aborts, timeouts and drops (property)', () => {
  it('settles every call for a reason it had, never sends one given up on, and both sides agree', async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: NUM_RUNS });
  });
});
