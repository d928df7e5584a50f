/**
 * JsonRpcCaller.request(): each call's promise gets its own resolve and reject, however
 * many calls are made in one turn, and an invalid per-call option rejects it.
 */
import { expect } from 'chai';
import { InvalidParamsError } from '../../lib/index.js';
import { connectionPair } from '../helpers/pair.js';

describe('JsonRpcCaller.request()', () => {
  it('settles each of many calls made in one turn with its own answer', async () => {
    const { client, server } = connectionPair();
    server.serve({
      double: (params) => {
        const [n] = params as [number];
        if (n % 3 === 0) throw new InvalidParamsError(`${n} is a multiple of three`);
        return 2 * n;
      },
    });
    const calls = Array.from({ length: 100 }, (_, n) =>
      client.request('double', [n]).then(
        (result) => result,
        (error: unknown) => (error as Error).message,
      ),
    );
    const expected = Array.from({ length: 100 }, (_, n) =>
      n % 3 === 0 ? `${n} is a multiple of three` : 2 * n,
    );
    expect(await Promise.all(calls)).to.deep.equal(expected);
    expect(client.pendingCount).to.equal(0);
    await client.close();
  });

  it('rejects, and does not throw, for an invalid per-call timeout; nothing is left pending', async () => {
    const { client, server } = connectionPair();
    server.serve({ echo: (params) => params });
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = client.request('echo', [1], { timeout: -1 }))).not.to.throw();
    const error = await promise!.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message).to.equal(
      'The "timeout" option must be between 0 and 2147483647 milliseconds, got -1',
    );
    expect(client.pendingCount).to.equal(0);
    expect(await client.request('echo', [2])).to.deep.equal([2]);
    await client.close();
  });
});
