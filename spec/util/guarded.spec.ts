/**
 * The connection's public Observables behave like any rxjs Observable in every subscribe
 * form, and a subscriber that throws from next, error or complete reaches onError, never
 * rxjs's unhandled-error report (which would crash the process).
 */
import { expect } from 'chai';
import { firstValueFrom, map, type Observable } from 'rxjs';
import { MethodNotFoundError, stream, type JsonRpcConnection } from '../../lib/index.js';
import { connectionPair, settle } from '../helpers/pair.js';

/** Lets rxjs's asynchronous unhandled-error report fire, if anything was reported. */
async function reportsFired(): Promise<void> {
  await settle();
  await settle();
}

type Pair = ReturnType<typeof connectionPair>;

interface Case {
  name: string;
  /** The Observable under test, on the server side of the pair. */
  source: (pair: Pair) => Observable<unknown>;
  /** Makes the source emit one value. */
  emit: (pair: Pair) => Promise<void>;
  /** Makes the source end; `error` says whether it ends with an error. */
  end: (pair: Pair) => Promise<void>;
  error: boolean;
}

const cases: Case[] = [
  {
    name: 'requests$',
    source: ({ server }) => server.requests$,
    emit: ({ client }) => client.notify('ping'),
    end: ({ client }) => client.close(),
    error: false,
  },
  {
    name: 'notifications$',
    source: ({ server }) => server.notifications$,
    emit: ({ client }) => client.notify('ping'),
    end: ({ client }) => client.close(),
    error: false,
  },
  {
    name: 'state$',
    source: ({ server }) => server.state$,
    emit: () => Promise.resolve(),
    end: ({ server }) => server.close(),
    error: false,
  },
  {
    name: 'closed$',
    source: ({ server }) => server.closed$,
    emit: () => Promise.resolve(),
    end: ({ server }) => server.close(),
    error: false,
  },
  {
    name: 'observe$() ending in an error',
    source: ({ server }) => server.observe$('missing'),
    emit: () => Promise.resolve(),
    end: () => settle(),
    error: true,
  },
];

describe('public Observables and subscribers', () => {
  let errors: unknown[];
  let pair: Pair;
  beforeEach(() => {
    errors = [];
    const options = { onError: (error: unknown) => void errors.push(error) };
    pair = connectionPair(options, options);
    pair.client.serve({});
  });
  afterEach(async () => {
    await pair.client.close();
    await pair.server.close();
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('calls back every subscribe form: (next, error, complete), (null, error), (undefined, undefined, complete)', async () => {
        const ends: string[] = [];
        const values: unknown[] = [];
        const source$ = c.source(pair);
        source$.subscribe(
          (value) => values.push(value),
          () => ends.push('error 1'),
          () => ends.push('complete 1'),
        );
        source$.subscribe(null, () => ends.push('error 2'));
        if (c.error) {
          // Without an error callback, rxjs would report the error: the three forms above suffice.
        } else {
          source$.subscribe(undefined, undefined, () => ends.push('complete 3'));
        }
        await c.emit(pair);
        await settle();
        await c.end(pair);
        await reportsFired();
        if (!c.error) expect(values.length).to.be.greaterThan(0);
        expect(ends).to.deep.equal(c.error ? ['error 1', 'error 2'] : ['complete 1', 'complete 3']);
        expect(errors).to.deep.equal([]);
      });

      it("calls an observer object's callbacks as its methods", async () => {
        const observer = {
          seen: [] as string[],
          next(): void {
            this.seen.push('next');
          },
          error(): void {
            this.seen.push('error');
          },
          complete(): void {
            this.seen.push('complete');
          },
        };
        c.source(pair).subscribe(observer);
        await c.emit(pair);
        await settle();
        await c.end(pair);
        await reportsFired();
        expect(observer.seen.at(-1)).to.equal(c.error ? 'error' : 'complete');
      });

      it('sends a throw from next, error or complete to onError, in every form', async () => {
        const source$ = c.source(pair);
        const boom = (where: string) => (): never => {
          throw new Error(`${where} threw`);
        };
        source$.subscribe({ next: boom('next'), error: boom('error'), complete: boom('complete') });
        source$.subscribe(undefined, boom('positional error'), boom('positional complete'));
        await c.emit(pair);
        await settle();
        await c.end(pair);
        await reportsFired();
        const messages = errors.map((error) => (error as Error).message);
        expect(messages).to.include(c.error ? 'error threw' : 'complete threw');
        expect(messages).to.include(
          c.error ? 'positional error threw' : 'positional complete threw',
        );
        if (c.name !== 'observe$() ending in an error') expect(messages).to.include('next threw');
      });

      it('passes operators and firstValueFrom through untouched', async () => {
        const first = firstValueFrom(c.source(pair).pipe(map((value) => ({ value })))).catch(
          (error: unknown) => ({ error }),
        );
        await c.emit(pair);
        await settle();
        await c.end(pair);
        const outcome = await first;
        if (c.error)
          expect((outcome as { error: unknown }).error).to.be.instanceOf(MethodNotFoundError);
        else expect(outcome).to.have.property('value');
      });
    });
  }

  it('a throwing requests$ subscriber still gets its request answered -32603', async () => {
    pair.server.requests$.subscribe(() => {
      throw new Error('bug');
    });
    const answer = await pair.client.request('anything').catch((error: unknown) => error);
    expect(answer).to.have.property('code', -32603);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(['bug']);
  });

  it('a throwing onError is logged, never raised', async () => {
    const { client, server } = connectionPair({
      onError: () => {
        throw new Error('onError bug');
      },
    });
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      server.requests$.subscribe(() => {
        throw new Error('bug');
      });
      const answer = await client.request('anything').catch((error: unknown) => error);
      expect(answer).to.have.property('code', -32603);
      await reportsFired();
    } finally {
      console.error = original;
    }
    expect(logged).to.have.lengthOf(1);
    await client.close();
  });

  it('observe$() of a stream: a subscriber whose next throws keeps receiving', async () => {
    const { client, server }: { client: JsonRpcConnection; server: JsonRpcConnection } = pair;
    const { Subject } = await import('rxjs');
    const source = new Subject<number>();
    server.serve({ ticks: stream(() => source) });
    const seen: number[] = [];
    client.observe$<number>('ticks').subscribe({
      next: (value) => {
        seen.push(value);
        if (value === 1) throw new Error('first value bug');
      },
      error: () => undefined, // the close at the end
    });
    await settle();
    source.next(1);
    source.next(2);
    await reportsFired();
    expect(seen).to.deep.equal([1, 2]);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(['first value bug']);
  });
});
