/**
 * The link of a connection (lib/connection/link.ts) through the public API: what a close —
 * ours, the peer's, the transport's error — leaves behind.
 */
import { expect } from 'chai';
import { firstValueFrom, NEVER, Subject } from 'rxjs';
import { ConnectionClosedError, JsonRpcConnection } from '../../lib/index.js';
import { connectionPair, settle } from '../helpers/pair.js';

describe('JsonRpcConnection', () => {
  describe('after close', () => {
    it('rejects new calls without throwing and never hangs', async () => {
      const { client } = connectionPair();
      await client.close();
      expect(client.closed).to.equal(true);
      expect(await client.request('x').catch((e: unknown) => e)).to.be.instanceOf(
        ConnectionClosedError,
      );
      expect(await client.notify('x').catch((e: unknown) => e)).to.be.instanceOf(
        ConnectionClosedError,
      );
      const viaObservable = await firstValueFrom(client.request$('x')).catch((e: unknown) => e);
      expect(viaObservable).to.be.instanceOf(ConnectionClosedError);
    });

    it('closing one side closes the other: requests$ completes, handlers abort, closed$ tells why', async () => {
      const { client, server } = connectionPair();
      const aborted: boolean[] = [];
      server.serve({
        hang: (_params, { signal }) => {
          signal.addEventListener('abort', () => aborted.push(true));
          return NEVER;
        },
      });
      let completed = false;
      server.requests$.subscribe({ complete: () => (completed = true) });
      const pending = client.request('hang').catch((e: unknown) => e);
      await settle();
      expect(server.incomingCount).to.equal(1);
      await client.close();
      expect(await pending).to.be.instanceOf(ConnectionClosedError);
      expect(await firstValueFrom(client.closed$)).to.deep.equal({ reason: 'local' });
      expect(await firstValueFrom(server.closed$)).to.deep.equal({ reason: 'remote' });
      expect([completed, aborted, server.closed, server.incomingCount]).to.deep.equal([
        true,
        [true],
        true,
        0,
      ]);
    });

    it('a transport error closes with reason error and the cause on pending rejections', async () => {
      const wire = new Subject<Uint8Array>();
      const transport = Object.assign(wire.asObservable(), {
        next: () => undefined,
        error: () => undefined,
        complete: () => undefined,
      });
      const connection = new JsonRpcConnection(transport);
      const pending = connection.request('x').catch((e: unknown) => e);
      const cause = new Error('socket reset');
      wire.error(cause);
      const error = (await pending) as ConnectionClosedError;
      expect(error).to.be.instanceOf(ConnectionClosedError);
      expect(error.cause).to.equal(cause);
      expect(await firstValueFrom(connection.closed$)).to.deep.equal({
        reason: 'error',
        error: cause,
      });
    });
    it('state$ and closed$ replay the end to a subscriber that comes after it', async () => {
      const early = connectionPair();
      const seen: string[] = [];
      // One subscribed before the close (its Subject made then), one only after.
      early.client.state$.subscribe((state) => seen.push(`before: ${state}`));
      const late = connectionPair();
      await early.client.close();
      await late.client.close();
      for (const [name, connection] of [
        ['early', early.client],
        ['late', late.client],
      ] as const) {
        const states: string[] = [];
        let completed = false;
        connection.state$.subscribe({
          next: (state) => states.push(state),
          complete: () => (completed = true),
        });
        expect([name, states, completed]).to.deep.equal([name, ['closed'], true]);
        expect(await firstValueFrom(connection.closed$)).to.deep.equal({ reason: 'local' });
      }
      expect(seen).to.deep.equal(['before: open', 'before: closed']);
    });
  });
});
