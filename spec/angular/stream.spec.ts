/**
 * injectStream() in plain Node (no DOM): a server `stream()` as an Angular resource over a
 * memory link, with the server's side counted — subscribes, unsubscribes, live subscriptions.
 */
import {
  ApplicationRef,
  createEnvironmentInjector,
  ErrorHandler,
  PLATFORM_ID,
  runInInjectionContext,
  signal,
  type EnvironmentInjector,
} from '@angular/core';
import { expect } from 'chai';
import { firstValueFrom, Subject } from 'rxjs';
import { injectJsonRpc, injectStream, provideJsonRpc } from '../../lib/angular/index.js';
import { JsonRpcError, stream, type JsonRpcCall, type JsonRpcConnection } from '../../lib/index.js';
import { angularRoot, memoryLinks } from '../helpers/angular-root.js';
import { until } from '../helpers/relink.js';

describe('injectStream()', () => {
  let root: EnvironmentInjector;
  let app: EnvironmentInjector;
  let connection: JsonRpcConnection;
  /** Every `quotes_subscribe` and `quotes_unsubscribe` the server received, in order. */
  let calls: string[];
  let quotes: Subject<number>;
  let memory: ReturnType<typeof memoryLinks>;

  const served = (): number => memory.servers.reduce((n, s) => n + s.subscriptionCount, 0);

  beforeEach(() => {
    calls = [];
    quotes = new Subject<number>();
    memory = memoryLinks((server) => {
      server.requests$.subscribe((call: JsonRpcCall) => {
        if (call.method.startsWith('quotes_')) {
          calls.push(
            `${call.method} ${'params' in call ? JSON.stringify(call.params) : '(no params)'}`,
          );
        }
      });
      server.serve({
        quotes: stream(() => quotes),
        failing: stream(() => {
          throw new JsonRpcError(-32001, 'no quotes today', { why: 'closed' });
        }),
      });
    });
    root = angularRoot();
    app = createEnvironmentInjector([provideJsonRpc({ transport: memory.transport })], root);
    connection = runInInjectionContext(app, () => injectJsonRpc());
  });

  afterEach(() => {
    if (!app.destroyed) app.destroy();
    root.destroy();
  });

  it('is loading, then resolved with each value; destroying its injector unsubscribes', async () => {
    const component = createEnvironmentInjector([], app);
    const quote = runInInjectionContext(component, () => injectStream<number>('quotes'));
    expect(quote.status()).to.equal('loading');
    expect(quote.isLoading()).to.equal(true);
    await until(() => served() === 1, 'the subscription');
    expect(calls).to.deep.equal(['quotes_subscribe (no params)']);
    quotes.next(1);
    await until(() => quote.value() === 1, 'the first value');
    expect([quote.status(), quote.hasValue(), quote.isLoading()]).to.deep.equal([
      'resolved',
      true,
      false,
    ]);
    quotes.next(2);
    await until(() => quote.value() === 2, 'the second value');
    component.destroy();
    await until(() => served() === 0, 'the server side to end');
    expect(calls).to.have.length(2);
    expect(calls[0]).to.equal('quotes_subscribe (no params)');
    expect(calls[1]).to.match(/^quotes_unsubscribe \["[^"]+"\]$/);
    expect(connection.closed).to.equal(false);
  });

  it("ends with the connection's own injector: the server's subscriptions back to 0, the connection closed", async () => {
    const quote = runInInjectionContext(app, () => injectStream<number>('quotes'));
    await until(() => served() === 1, 'the subscription');
    quotes.next(5);
    await until(() => quote.value() === 5, 'a value');
    app.destroy();
    expect(connection.closed).to.equal(true);
    await until(() => served() === 0 && memory.servers[0]!.closed, 'the server side to end');
    expect(quotes.observed).to.equal(false);
  });

  it('makes exactly one new subscription when its params change, ending the old one', async () => {
    const symbol = signal<string | undefined>('ACME');
    const quote = runInInjectionContext(app, () =>
      injectStream<number>('quotes', () => {
        const current = symbol();
        return current === undefined ? undefined : [current];
      }),
    );
    await until(() => served() === 1, 'the first subscription');
    symbol.set('INIT');
    await until(() => calls.length === 3 && served() === 1, 'the second subscription');
    expect(calls[0]).to.equal('quotes_subscribe ["ACME"]');
    expect(calls[1]).to.match(/^quotes_unsubscribe /);
    expect(calls[2]).to.equal('quotes_subscribe ["INIT"]');
    quotes.next(7);
    await until(() => quote.value() === 7, 'a value of the new subscription');

    // A change to undefined: idle, and the server subscription ends too.
    symbol.set(undefined);
    await until(() => served() === 0, 'the unsubscribe');
    expect(calls).to.have.length(4);
    expect(calls[3]).to.match(/^quotes_unsubscribe /);
    expect([quote.status(), quote.value()]).to.deep.equal(['idle', undefined]);

    symbol.set('BACK');
    await until(() => served() === 1, 'a subscription again');
    expect(calls.slice(4)).to.deep.equal(['quotes_subscribe ["BACK"]']);
  });

  it("shows the server's error as an error state: error() the JsonRpcError, value() throws, nothing else does", async () => {
    const failing = runInInjectionContext(app, () => injectStream<number>('failing'));
    await until(() => failing.status() === 'error', 'the error state');
    const error = failing.error() as JsonRpcError;
    expect(error).to.be.instanceOf(JsonRpcError);
    expect([error.code, error.message, error.data]).to.deep.equal([
      -32001,
      'no quotes today',
      { why: 'closed' },
    ]);
    expect(failing.hasValue()).to.equal(false);
    expect(failing.isLoading()).to.equal(false);
    expect(() => failing.value()).to.throw();
  });

  it('holds a pending task only until its first value: then the app is stable with the stream live', async () => {
    const quote = runInInjectionContext(app, () => injectStream<number>('quotes'));
    const appRef = root.get(ApplicationRef);
    await until(() => served() === 1, 'the subscription');
    expect(await firstValueFrom(appRef.isStable)).to.equal(false);
    quotes.next(1);
    await until(() => quote.value() === 1, 'the first value');
    const stable = await Promise.race([
      appRef.whenStable().then(() => 'stable'),
      new Promise((resolve) => setTimeout(() => resolve('still unstable after 1 s'), 1000)),
    ]);
    expect([stable, connection.state, served()]).to.deep.equal(['stable', 'open', 1]);
  });

  it('shows what its params function throws as an error state, reported to no ErrorHandler', async () => {
    const reported: unknown[] = [];
    const ownRoot = angularRoot([
      { provide: ErrorHandler, useValue: { handleError: (e: unknown) => reported.push(e) } },
    ]);
    const ownApp = createEnvironmentInjector(
      [provideJsonRpc({ transport: memory.transport })],
      ownRoot,
    );
    const broken = signal(false);
    const quote = runInInjectionContext(ownApp, () =>
      injectStream<number>('quotes', () => {
        if (broken()) throw new Error('no symbol chosen');
        return ['ACME'];
      }),
    );
    await until(() => served() === 1, 'the subscription');
    broken.set(true);
    await until(() => quote.status() === 'error', 'the error state');
    expect([quote.error()?.message, quote.hasValue(), quote.isLoading()]).to.deep.equal([
      'no symbol chosen',
      false,
      false,
    ]);
    await until(() => served() === 0, 'the unsubscribe');
    broken.set(false);
    await until(() => served() === 1 && quote.status() !== 'error', 'a subscription again');
    expect(reported).to.deep.equal([]);
    ownApp.destroy();
    ownRoot.destroy();
  });

  it('checks its name and options at once', () => {
    runInInjectionContext(app, () => {
      expect(() => injectStream(42 as unknown as string)).to.throw(
        TypeError,
        'The method must be a string, got number',
      );
      expect(() => injectStream('quotes', [1] as unknown as () => undefined)).to.throw(
        TypeError,
        'injectStream() params must be a function, got object',
      );
      expect(() => injectStream('quotes', undefined, { timeout: -1 })).to.throw(
        RangeError,
        '"timeout"',
      );
    });
  });

  it("stays idle on the 'server' platform: nothing subscribed, value undefined", async () => {
    const ssr = createEnvironmentInjector(
      [
        { provide: PLATFORM_ID, useValue: 'server' },
        provideJsonRpc({ transport: memory.transport }),
      ],
      root,
    );
    const quote = runInInjectionContext(ssr, () => injectStream<number>('quotes'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([quote.status(), quote.value(), memory.servers.length]).to.deep.equal([
      'idle',
      undefined,
      1,
    ]);
    ssr.destroy();
  });
});
