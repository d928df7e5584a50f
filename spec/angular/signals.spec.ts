/**
 * injectConnectionState() and injectNotification() in plain Node (no DOM): signals that follow
 * a provided connection, and stop following it when their injector is destroyed.
 */
import {
  createEnvironmentInjector,
  InjectionToken,
  PLATFORM_ID,
  runInInjectionContext,
  type EnvironmentInjector,
} from '@angular/core';
import { expect } from 'chai';
import {
  injectConnectionState,
  injectJsonRpc,
  injectNotification,
  provideJsonRpc,
} from '../../lib/angular/index.js';
import type { JsonRpcConnection } from '../../lib/index.js';
import { serveWebSocket, type WebSocketServerHandle } from '../../lib/node.js';
import { angularRoot, memoryLinks } from '../helpers/angular-root.js';
import { useWsAsGlobalWebSocket } from '../helpers/global-websocket.js';
import { until } from '../helpers/relink.js';

describe('injectConnectionState() and injectNotification()', () => {
  useWsAsGlobalWebSocket();
  let root: EnvironmentInjector;

  beforeEach(() => {
    root = angularRoot();
  });

  afterEach(() => {
    root.destroy();
  });

  it("follows the state across a server restart on the same port: 'open', 'reconnecting', 'open'", async () => {
    let server: WebSocketServerHandle = await serveWebSocket((c) => c.serve({ echo: (p) => p }));
    const { port } = server;
    try {
      const injector = createEnvironmentInjector(
        [provideJsonRpc({ url: server.url, reconnect: { delayMs: 10, maxDelayMs: 40 } })],
        root,
      );
      const seen: string[] = [];
      const state = runInInjectionContext(injector, () => injectConnectionState());
      const record = (): void => {
        if (seen.at(-1) !== state()) seen.push(state());
      };
      record();
      await until(() => (record(), state() === 'open'), "'open'");
      await server.close();
      await until(() => (record(), state() === 'reconnecting'), "'reconnecting'");
      server = await serveWebSocket((c) => c.serve({ echo: (p) => p }), { port });
      await until(() => (record(), state() === 'open'), "'open' again");
      expect(seen).to.deep.equal(['connecting', 'open', 'reconnecting', 'open']);
      injector.destroy();
      expect(state()).to.equal('closed');
    } finally {
      await server.close();
    }
  });

  it('holds the params of the latest notification of its method only, from its initial value', async () => {
    const memory = memoryLinks(() => undefined);
    const injector = createEnvironmentInjector(
      [provideJsonRpc({ transport: memory.transport })],
      root,
    );
    const { price, untyped } = runInInjectionContext(injector, () => ({
      price: injectNotification<[number]>('price', { initialValue: [0] }),
      untyped: injectNotification('other'),
    }));
    const connection = runInInjectionContext(injector, () => injectJsonRpc());
    expect([price(), untyped()]).to.deep.equal([[0], undefined]);
    await until(() => memory.servers.length === 1 && connection.state === 'open', 'the link');
    const server = memory.servers[0]!;
    await server.notify('price', [1]);
    await server.notify('volume', [100]);
    await server.notify('price', [2]);
    await until(() => price()?.[0] === 2, 'the latest price');
    expect(untyped()).to.equal(undefined);
    await server.notify('other', { any: 'thing' });
    await until(() => untyped() !== undefined, 'the other notification');
    expect(untyped()).to.deep.equal({ any: 'thing' });
    injector.destroy();
  });

  it('stops following the connection when its own injector (a component) is destroyed', async () => {
    const memory = memoryLinks(() => undefined);
    const app = createEnvironmentInjector([provideJsonRpc({ transport: memory.transport })], root);
    const component = createEnvironmentInjector([], app);
    const price = runInInjectionContext(component, () => injectNotification<number[]>('price'));
    const connection = runInInjectionContext(app, () => injectJsonRpc());
    await until(() => connection.state === 'open', 'the link');
    await memory.servers[0]!.notify('price', [1]);
    await until(() => price() !== undefined, 'the first price');
    component.destroy();
    await memory.servers[0]!.notify('price', [2]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(price()).to.deep.equal([1]);
    expect(connection.closed).to.equal(false);
    app.destroy();
  });

  it('works outside an injection context given an injector, and with a token', async () => {
    const SECOND = new InjectionToken<JsonRpcConnection>('second');
    const memory = memoryLinks(() => undefined);
    const injector = createEnvironmentInjector(
      [provideJsonRpc({ transport: memory.transport }, { token: SECOND })],
      root,
    );
    const state = injectConnectionState({ injector, token: SECOND });
    const note = injectNotification<string[]>('hello', { injector, token: SECOND });
    await until(() => state() === 'open', "'open'");
    await memory.servers[0]!.notify('hello', ['world']);
    await until(() => note() !== undefined, 'the notification');
    expect(note()).to.deep.equal(['world']);
    injector.destroy();
  });

  it('throws outside an injection context without an injector, and for a wrong method', () => {
    expect(() => injectConnectionState()).to.throw(
      /injectConnectionState\(\) can only be used within an injection context/,
    );
    expect(() => injectNotification('x')).to.throw(
      /injectNotification\(\) can only be used within an injection context/,
    );
    const injector = createEnvironmentInjector([], root);
    expect(() => injectNotification(42 as unknown as string, { injector })).to.throw(
      TypeError,
      'The notification method must be a string, got number',
    );
    injector.destroy();
  });

  it("keeps the initial value on the 'server' platform, and the state is 'closed'", async () => {
    const injector = createEnvironmentInjector(
      [{ provide: PLATFORM_ID, useValue: 'server' }, provideJsonRpc({ url: 'ws://127.0.0.1:1' })],
      root,
    );
    const { state, note } = runInInjectionContext(injector, () => ({
      state: injectConnectionState(),
      note: injectNotification('x', { initialValue: 'initial' }),
    }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([state(), note()]).to.deep.equal(['closed', 'initial']);
    injector.destroy();
  });
});
