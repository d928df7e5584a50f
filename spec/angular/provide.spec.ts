/**
 * provideJsonRpc() and injectJsonRpc() in plain Node (no DOM): an Angular root injector, a
 * child environment injector that provides the connection, against a memory transport and a
 * real serveWebSocket server on 127.0.0.1 (ws as globalThis.WebSocket).
 */
import {
  createEnvironmentInjector,
  inject,
  InjectionToken,
  NgZone,
  PLATFORM_ID,
  runInInjectionContext,
  type EnvironmentInjector,
} from '@angular/core';
import { expect } from 'chai';
import WebSocket from 'ws';
import {
  injectJsonRpc,
  JSON_RPC,
  provideJsonRpc,
  type JsonRpcConfig,
} from '../../lib/angular/index.js';
import { ConnectionClosedError, type JsonRpcConnection } from '../../lib/index.js';
import { serveWebSocket, type WebSocketServerHandle } from '../../lib/node.js';
import { angularRoot, memoryLinks } from '../helpers/angular-root.js';
import { useWsAsGlobalWebSocket } from '../helpers/global-websocket.js';
import { until } from '../helpers/relink.js';

describe('provideJsonRpc() and injectJsonRpc()', () => {
  useWsAsGlobalWebSocket();
  let root: EnvironmentInjector;
  const injectors: EnvironmentInjector[] = [];

  function provided(
    ...providers: Parameters<typeof createEnvironmentInjector>[0]
  ): EnvironmentInjector {
    const injector = createEnvironmentInjector(providers, root);
    injectors.push(injector);
    return injector;
  }

  function connectionOf(injector: EnvironmentInjector, token = JSON_RPC): JsonRpcConnection {
    return runInInjectionContext(injector, () => injectJsonRpc(token));
  }

  beforeEach(() => {
    root = angularRoot();
  });

  afterEach(() => {
    for (const injector of injectors.splice(0)) if (!injector.destroyed) injector.destroy();
    root.destroy();
  });

  describe('with a transport', () => {
    it('opens nothing until injected; then one connection, shared, answering', async () => {
      let links = 0;
      const memory = memoryLinks((server) => server.serve({ echo: (params) => params }));
      const injector = provided(
        provideJsonRpc({
          transport: () => {
            links++;
            return memory.transport();
          },
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(links).to.equal(0);
      const connection = connectionOf(injector);
      expect(connectionOf(injector)).to.equal(connection);
      expect(await connection.request('echo', ['hi'])).to.deep.equal(['hi']);
      expect(links).to.equal(1);
      expect(connection.state).to.equal('open');
    });

    it('is closed with its injector, which ends the server side too', async () => {
      const memory = memoryLinks((server) => server.serve({ echo: (params) => params }));
      const injector = provided(provideJsonRpc({ transport: memory.transport }));
      const connection = connectionOf(injector);
      await connection.request('echo', [1]);
      injector.destroy();
      expect(connection.closed).to.equal(true);
      await until(() => memory.servers[0]!.closed, 'the server side to close');
      expect(await connection.request('echo', [2]).catch((e: unknown) => e)).to.be.instanceOf(
        ConnectionClosedError,
      );
    });

    it('reconnects by default: a lost link is replaced by a new one from the factory', async () => {
      const memory = memoryLinks((server) => server.serve({ echo: (params) => params }));
      const injector = provided(
        provideJsonRpc({ transport: memory.transport, reconnect: { delayMs: 1, maxDelayMs: 4 } }),
      );
      const connection = connectionOf(injector);
      await connection.request('echo', [1]);
      await memory.servers[0]!.close();
      await until(() => memory.servers.length === 2 && connection.state === 'open', 'a new link');
      expect(await connection.request('echo', [2])).to.deep.equal([2]);
    });

    it('with reconnect false, a lost link closes the connection for good', async () => {
      const memory = memoryLinks((server) => server.serve({ echo: (params) => params }));
      const injector = provided(provideJsonRpc({ transport: memory.transport, reconnect: false }));
      const connection = connectionOf(injector);
      await connection.request('echo', [1]);
      await memory.servers[0]!.close();
      await until(() => connection.closed, 'the close');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(memory.servers).to.have.length(1);
    });

    it('provides two endpoints under two tokens', async () => {
      const SECOND = new InjectionToken<JsonRpcConnection>('second endpoint');
      const first = memoryLinks((server) => server.serve({ who: () => 'first' }));
      const second = memoryLinks((server) => server.serve({ who: () => 'second' }));
      const injector = provided(
        provideJsonRpc({ transport: first.transport }),
        provideJsonRpc({ transport: second.transport, token: SECOND }),
      );
      expect(await connectionOf(injector).request('who')).to.equal('first');
      expect(await connectionOf(injector, SECOND).request('who')).to.equal('second');
      expect(connectionOf(injector, SECOND)).not.to.equal(connectionOf(injector));
    });

    it('runs a config factory in an injection context, on first injection, under its token', async () => {
      const ENDPOINT = new InjectionToken<string>('endpoint name');
      const SECOND = new InjectionToken<JsonRpcConnection>('second endpoint');
      const memory = memoryLinks((server) => server.serve({ echo: (params) => params }));
      let runs = 0;
      const injector = provided(
        { provide: ENDPOINT, useValue: 'from DI' },
        provideJsonRpc(
          () => {
            runs++;
            const name = inject(ENDPOINT);
            return { transport: memory.transport, connection: { timeout: name.length * 1000 } };
          },
          { token: SECOND },
        ),
      );
      expect(runs).to.equal(0);
      const connection = connectionOf(injector, SECOND);
      expect(runs).to.equal(1);
      expect(await connection.request('echo', ['x'])).to.deep.equal(['x']);
    });
  });

  describe('with a url', () => {
    let server: WebSocketServerHandle | undefined;
    let port = 0;
    const start = async (): Promise<void> => {
      server = await serveWebSocket((connection) => connection.serve({ echo: (p) => p }), { port });
      port = server.port;
    };

    afterEach(async () => {
      await server?.close();
      server = undefined;
      port = 0;
    });

    it('is connecting at once, synchronously; a call made then is answered once the socket opens', async () => {
      await start();
      const injector = provided(provideJsonRpc({ url: server!.url }));
      const connection = connectionOf(injector);
      expect(connection.state).to.equal('connecting');
      expect(await connection.request('echo', ['early'])).to.deep.equal(['early']);
      expect(connection.state).to.equal('open');
      injector.destroy();
      await until(() => server!.connections.size === 0, 'the server to see the close');
    });

    it('opens its socket outside the Angular zone', async () => {
      await start();
      const log: string[] = [];
      let outside = false;
      const zone = {
        runOutsideAngular<T>(fn: () => T): T {
          outside = true;
          try {
            return fn();
          } finally {
            outside = false;
          }
        },
      };
      const Global = globalThis as { WebSocket?: unknown };
      Global.WebSocket = class extends WebSocket {
        constructor(...args: ConstructorParameters<typeof WebSocket>) {
          super(...args);
          log.push(outside ? 'opened outside the zone' : 'opened inside the zone');
        }
      };
      const injector = provided(
        { provide: NgZone, useValue: zone },
        provideJsonRpc({ url: server!.url }),
      );
      const connection = connectionOf(injector);
      expect(await connection.request('echo', [1])).to.deep.equal([1]);
      Global.WebSocket = WebSocket;
      expect(log).to.deep.equal(['opened outside the zone']);
    });
  });

  it("opens nothing on the 'server' platform: closed, calls reject", async () => {
    let links = 0;
    const injector = provided(
      { provide: PLATFORM_ID, useValue: 'server' },
      provideJsonRpc({
        transport: () => {
          links++;
          throw new Error('never called');
        },
      }),
    );
    const connection = connectionOf(injector);
    expect(connection.state).to.equal('closed');
    expect(await connection.request('x').catch((e: unknown) => e)).to.be.instanceOf(
      ConnectionClosedError,
    );
    expect(links).to.equal(0);
  });

  describe('a wrong config', () => {
    const transport = memoryLinks(() => undefined).transport;
    const cases: [string, unknown, string][] = [
      [
        'neither url nor transport',
        {},
        'provideJsonRpc() takes either "url" or "transport", got neither',
      ],
      [
        'both url and transport',
        { url: 'ws://127.0.0.1:1', transport },
        'provideJsonRpc() takes either "url" or "transport", got both',
      ],
      ['a url not a string', { url: 42 }, 'The "url" option must be a string, got number'],
      [
        'a transport not a function',
        { transport: 'memory' },
        'The "transport" option must be a function returning a transport, got string',
      ],
      [
        'a reconnect neither boolean nor object',
        { transport, reconnect: 'yes' },
        'The "reconnect" option must be a boolean or an object, got yes',
      ],
      ['not an object', null, 'provideJsonRpc() takes a config object, got null'],
    ];
    for (const [what, config, message] of cases) {
      it(`throws a TypeError at once for ${what}`, () => {
        expect(() => provideJsonRpc(config as JsonRpcConfig)).to.throw(TypeError, message);
      });
      it(`throws the same TypeError on first injection, from a factory, for ${what}`, () => {
        const injector = provided(provideJsonRpc(() => config as JsonRpcConfig));
        expect(() => connectionOf(injector)).to.throw(TypeError, message);
      });
    }

    it('throws on first injection for a bad option of the connection or of reconnect', () => {
      const badTimeout = provided(provideJsonRpc({ transport, connection: { timeout: -1 } }));
      expect(() => connectionOf(badTimeout)).to.throw(RangeError, '"timeout"');
      const badAttempts = provided(provideJsonRpc({ transport, reconnect: { attempts: -1 } }));
      expect(() => connectionOf(badAttempts)).to.throw(RangeError, '"reconnect.attempts"');
    });

    it('throws for two different tokens, and for a token that is not an InjectionToken', () => {
      const A = new InjectionToken<JsonRpcConnection>('a');
      const B = new InjectionToken<JsonRpcConnection>('b');
      expect(() => provideJsonRpc({ transport, token: A }, { token: B })).to.throw(
        TypeError,
        'provideJsonRpc() was given two different tokens',
      );
      expect(() =>
        provideJsonRpc({ transport }, { token: 'JSON_RPC' as unknown as typeof A }),
      ).to.throw(TypeError, 'The "token" option must be an InjectionToken, got JSON_RPC');
    });
  });
});
