import { expect } from 'chai';
import { EMPTY, NEVER, Observable, of, throwError } from 'rxjs';
import type { JsonRpcConnection } from '../../lib/index.js';
import { JsonRpcError, RequestCancelledError, type JsonRpcMiddleware } from '../../lib/index.js';
import { connectionPair, RawPeer, settle } from '../helpers/pair.js';

function errorOf(promise: Promise<unknown>): Promise<JsonRpcError> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as JsonRpcError,
  );
}

describe('serve()', () => {
  it('answers values, promises and observables; undefined and empty answer null', async () => {
    const { client, server } = connectionPair();
    server.serve({
      value: () => 1,
      promise: async () => 2,
      observable: () => of(3, 4),
      nothing: () => undefined,
      empty: () => EMPTY,
    });
    const results = await Promise.all(
      ['value', 'promise', 'observable', 'nothing', 'empty'].map((m) => client.request(m)),
    );
    expect(results).to.deep.equal([1, 2, 3, null, null]);
    await client.close();
  });

  it('unsubscribes an Observable handler after its first value', async () => {
    const { client, server } = connectionPair();
    let tornDown = false;
    server.serve({
      stream: () =>
        new Observable<number>((subscriber) => {
          subscriber.next(1);
          return () => (tornDown = true);
        }),
    });
    expect(await client.request('stream')).to.equal(1);
    expect(tornDown).to.equal(true);
    await client.close();
  });

  it('passes params as given, and the context', async () => {
    const { client, server } = connectionPair();
    server.serve({
      inspect: (params, context) => ({
        params,
        method: context.method,
        id: context.request.id,
        isNotification: context.isNotification,
        same: context.connection === server,
      }),
    });
    expect(await client.request('inspect', { a: [1, { b: null }] })).to.deep.equal({
      params: { a: [1, { b: null }] },
      method: 'inspect',
      id: 1,
      isNotification: false,
      same: true,
    });
    await client.close();
  });

  it('looks up own properties only: __proto__, constructor and toString answer -32601', async () => {
    const { client, server } = connectionPair();
    server.serve({ real: () => 1 });
    for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const error = await errorOf(client.request(method));
      expect([error.code, error.message], method).to.deep.equal([-32601, 'Method not found']);
    }
    await client.close();
  });

  it('sends a JsonRpcError with its code, message and data', async () => {
    const { client, server } = connectionPair();
    server.serve({
      deny: () => {
        throw new JsonRpcError(-32001, 'Unauthorized', { realm: 'admin' });
      },
      deny$: () => throwError(() => new JsonRpcError(-32002, 'Gone')),
    });
    const error = await errorOf(client.request('deny'));
    expect([error.code, error.message, error.data]).to.deep.equal([
      -32001,
      'Unauthorized',
      { realm: 'admin' },
    ]);
    expect((await errorOf(client.request('deny$'))).code).to.equal(-32002);
    await client.close();
  });

  it('answers anything else thrown as -32603 with nothing from inside, and reports it', async () => {
    const reported: unknown[] = [];
    const peer = new RawPeer({ onError: (error) => reported.push(error) });
    const secret = new Error('password=hunter2 at /srv/app/db.ts:12');
    peer.connection.serve({
      crash: () => {
        throw secret;
      },
      reject: () => Promise.reject(secret),
      bigint: () => 10n,
    });
    peer.send('{"jsonrpc":"2.0","id":1,"method":"crash"}');
    peer.send('{"jsonrpc":"2.0","id":2,"method":"reject"}');
    peer.send('{"jsonrpc":"2.0","id":3,"method":"bigint"}');
    const frames = ((await peer.read(3)) as { id: number }[]).sort((a, b) => a.id - b.id);
    const internal = { code: -32603, message: 'Internal error' };
    expect(frames).to.deep.equal([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, error: internal })));
    expect(JSON.stringify(frames)).not.to.include('hunter2');
    expect(reported.filter((error) => error === secret)).to.have.length(2);
    expect(reported.filter((error) => error instanceof TypeError)).to.have.length(1);
    await peer.close();
  });

  it('never answers a notification: known, unknown or failing', async () => {
    const reported: unknown[] = [];
    const peer = new RawPeer({ onError: (error) => reported.push(error) });
    const seen: unknown[] = [];
    peer.connection.serve({
      log: (params) => void seen.push(params),
      fail: () => {
        throw new JsonRpcError(1, 'no');
      },
    });
    peer.send('{"jsonrpc":"2.0","method":"log","params":[1]}');
    peer.send('{"jsonrpc":"2.0","method":"unknown"}');
    peer.send('{"jsonrpc":"2.0","method":"fail"}');
    expect(await peer.drain()).to.deep.equal([]);
    expect(seen).to.deep.equal([[1]]);
    expect(reported).to.have.length(1);
    await peer.close();
  });

  it('runs handlers concurrently by default', async () => {
    const { client, server } = connectionPair();
    let active = 0;
    let most = 0;
    server.serve({
      work: async () => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
      },
    });
    await Promise.all(Array.from({ length: 20 }, () => client.request('work')));
    expect(most).to.equal(20);
    await client.close();
  });

  it('concurrency limits handlers in flight; the rest wait in order', async () => {
    const { client, server } = connectionPair();
    let active = 0;
    let most = 0;
    const order: number[] = [];
    server.serve(
      {
        work: async (params) => {
          const [n] = params as [number];
          most = Math.max(most, ++active);
          order.push(n);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active--;
          return n;
        },
      },
      { concurrency: 2 },
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.request('work', [i])),
    );
    expect(results).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(order).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(most).to.equal(2);
    await client.close();
  });

  it('validates its options loudly', async () => {
    const { client, server } = connectionPair();
    expect(() => server.serve({}, { concurrency: 0 })).to.throw(
      RangeError,
      'The "concurrency" option must be a positive integer, got 0',
    );
    expect(() => server.serve({}, { middleware: [1 as never] })).to.throw(
      TypeError,
      'The "middleware" option must be an array of functions',
    );
    expect(() => server.serve(null as never)).to.throw(TypeError);
    await client.close();
  });

  it('refuses a second serve() while the first is active', async () => {
    const { client, server } = connectionPair();
    const first = server.serve({ a: () => 1 });
    expect(() => server.serve({ b: () => 2 })).to.throw(
      Error,
      'This connection is already being served: unsubscribe the first serve()',
    );
    first.unsubscribe();
    server.serve({ b: () => 2 });
    expect(await client.request('b')).to.equal(2);
    await client.close();
  });

  it('serve() on a closed connection gives a closed subscription; a close ends serving', async () => {
    const first = connectionPair();
    const serving = first.server.serve({ a: () => 1 });
    const requests: unknown[] = [];
    first.server.requests$.subscribe((call) => requests.push(call.method));
    expect(await first.client.request('a')).to.equal(1);
    await first.server.close();
    expect([serving.closed, requests]).to.deep.equal([true, ['a']]);
    expect(first.server.serve({ b: () => 2 }).closed).to.equal(true);
    await first.client.close();
  });

  it('middleware runs before and after each handler and can refuse a call', async () => {
    const { client, server } = connectionPair();
    const log: string[] = [];
    const logging: JsonRpcMiddleware = async (context, next) => {
      log.push(`before ${context.method}`);
      const result = await next();
      log.push(`after ${context.method} = ${String(result)}`);
      return result;
    };
    const auth: JsonRpcMiddleware = (context, next) => {
      if (context.method.startsWith('admin.')) throw new JsonRpcError(-32001, 'Unauthorized');
      return next();
    };
    server.serve(
      { hello: () => 'hi', 'admin.drop': () => 'dropped' },
      { middleware: [logging, auth] },
    );
    expect(await client.request('hello')).to.equal('hi');
    const error = await errorOf(client.request('admin.drop'));
    expect([error.code, error.message]).to.deep.equal([-32001, 'Unauthorized']);
    expect(log).to.deep.equal(['before hello', 'after hello = hi', 'before admin.drop']);
    await client.close();
  });

  it('a cancelled Observable handler is unsubscribed and answers -32800', async () => {
    const { client, server } = connectionPair();
    let subscribed = 0;
    let tornDown = 0;
    server.serve({
      forever: () =>
        new Observable(() => {
          subscribed++;
          return () => tornDown++;
        }),
    });
    const controller = new AbortController();
    const answer = client.request('forever', [], { signal: controller.signal });
    await settle();
    expect(subscribed).to.equal(1);
    controller.abort();
    expect(await answer.catch((e: unknown) => e)).to.be.instanceOf(RequestCancelledError);
    await settle();
    expect(tornDown).to.equal(1);
    expect(server.incomingCount).to.equal(0);
    await client.close();
  });

  it('unsubscribing serve() cancels the handlers in flight and answers them -32800', async () => {
    const { client, server } = connectionPair();
    const aborted: boolean[] = [];
    const serving = server.serve({
      hang: (_params, { signal }) => {
        signal.addEventListener('abort', () => aborted.push(true));
        return NEVER;
      },
    });
    const answer = client.request('hang').catch((e: unknown) => e);
    await settle();
    serving.unsubscribe();
    expect(await answer).to.be.instanceOf(RequestCancelledError);
    expect(aborted).to.deep.equal([true]);
    await client.close();
  });

  it('checks handlers against a typed method map', async () => {
    interface Greeter {
      greet(params: [name: string]): { greeting: string };
      ping(): 'pong';
    }
    const { client, server } = connectionPair();
    const typedServer = server as unknown as JsonRpcConnection<object, Greeter>;
    const typedClient = client as unknown as JsonRpcConnection<Greeter>;
    typedServer.serve({
      greet: ([name]) => ({ greeting: `Hello, ${name}!` }),
      ping: () => 'pong' as const,
    });
    const { greeting } = await typedClient.request('greet', ['Bob']);
    expect(greeting).to.equal('Hello, Bob!');
    expect(await typedClient.request('ping')).to.equal('pong');
    // @ts-expect-error: params must be [string]
    expect(() => typedClient.request('greet', [1]).catch(() => undefined)).not.to.throw();
    // @ts-expect-error: no such method
    await typedClient.request('nope').catch(() => undefined);
    await client.close();
  });
});

describe('connection.idle()', () => {
  it('resolves at once when nothing is served, or no handler runs', async () => {
    const { client, server } = connectionPair();
    await server.idle();
    server.serve({ ping: () => 'pong' });
    await server.idle();
    await client.close();
  });

  it('resolves once running and queued handlers, notifications included, have settled', async () => {
    const { client, server } = connectionPair();
    const finished: string[] = [];
    const releases: (() => void)[] = [];
    server.serve(
      {
        slow: (params) =>
          new Promise<void>((resolve) =>
            releases.push(() => {
              finished.push(String((params as string[])[0]));
              resolve();
            }),
          ),
      },
      { concurrency: 1 },
    );
    await client.notify('slow', ['a']);
    await client.notify('slow', ['b']);
    await settle();
    let idle = false;
    const done = server.idle().then(() => (idle = true));
    releases.shift()!();
    await settle();
    expect(idle, 'b still waits for its slot').to.equal(false);
    releases.shift()!();
    await done;
    expect(finished).to.deep.equal(['a', 'b']);
    await client.close();
  });

  it('resolves when serving stops, or the connection closes, with handlers still running', async () => {
    const { client, server } = connectionPair();
    const serving = server.serve({ hang: () => NEVER });
    await client.notify('hang');
    await settle();
    const first = server.idle();
    serving.unsubscribe();
    await first;
    server.serve({ hang: () => NEVER });
    await client.notify('hang');
    await settle();
    const second = server.idle();
    await server.close();
    await second;
    await client.close();
  });
});
