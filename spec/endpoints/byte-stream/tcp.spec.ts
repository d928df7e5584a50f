import { expect } from 'chai';
import sinon from 'sinon';
import { Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import type { JsonRpcConnection } from '../../../lib/index.js';
import {
  connectTcp,
  serveTcp,
  type TcpServerHandle,
} from '../../../lib/endpoints/byte-stream/tcp.js';
import type { StreamFraming } from '../../../lib/transports/byte-stream/options.js';
import { freePort } from '../../helpers/free-port.js';

describe('serveTcp() and connectTcp()', () => {
  const servers: TcpServerHandle[] = [];
  afterEach(async () => {
    sinon.restore();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(
    onConnection: Parameters<typeof serveTcp>[0],
    framing: StreamFraming = 'content-length',
  ): Promise<TcpServerHandle> {
    const server = await serveTcp(onConnection, { framing });
    servers.push(server);
    return server;
  }

  for (const framing of ['content-length', 'newline'] as const) {
    it(`${framing}: serves on 127.0.0.1 and a free port, calls go both ways`, async () => {
      const server = await serve(
        (connection) =>
          connection.serve({
            hello: async (params, { connection: peer }) =>
              `Hello, ${String(await peer.request('name', params))}!`,
          }),
        framing,
      );
      expect(server.host).to.equal('127.0.0.1');
      expect(server.port).to.be.above(0);
      expect(server.server.address()).to.include({ address: '127.0.0.1', port: server.port });
      const client = await connectTcp(server.port, { framing, timeout: 2000 });
      client.serve({ name: (params) => String((params as unknown[])[0]).toUpperCase() });
      expect(client.isClient).to.equal(true);
      expect(await client.request('hello', ['zoë'])).to.equal('Hello, ZOË!');
      expect([...server.connections].map((c) => c.isServer)).to.deep.equal([true]);
      await client.close();
    });
  }

  it('turns Nagle off on both sockets', async () => {
    const noDelay = sinon.spy(Socket.prototype, 'setNoDelay');
    const sockets: Socket[] = [];
    const server = await serve((_connection, socket) => sockets.push(socket));
    const client = await connectTcp(server.port, { framing: 'content-length' });
    while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(noDelay.thisValues).to.include(sockets[0]);
    expect(noDelay.thisValues.length).to.be.at.least(2);
    expect(noDelay.alwaysCalledWith(true)).to.equal(true);
    await client.close();
  });

  it('close() stops listening and closes every connection', async () => {
    const server = await serve((connection) => connection.serve({ ping: () => 'pong' }));
    const clients = await Promise.all(
      [1, 2, 3].map(() => connectTcp(server.port, { framing: 'content-length' })),
    );
    await Promise.all(clients.map((client) => client.request('ping')));
    expect(server.connections.size).to.equal(3);
    await servers.pop()!.close();
    const events = await Promise.all(clients.map((client) => firstValueFrom(client.closed$)));
    expect(events.map((event) => event.reason)).to.deep.equal(['remote', 'remote', 'remote']);
    expect(server.server.listening).to.equal(false);
    expect(server.connections.size).to.equal(0);
  });

  it('a throwing onConnection closes that connection and goes to onError', async () => {
    const onError = sinon.spy();
    const server = await serveTcp(
      () => {
        throw new Error('not today');
      },
      { framing: 'newline', onError },
    );
    servers.push(server);
    const client = await connectTcp(server.port, { framing: 'newline' });
    expect((await firstValueFrom(client.closed$)).reason).to.equal('remote');
    expect((onError.firstCall.args[0] as Error).message).to.equal('not today');
  });

  it('connectTcp() rejects when nothing listens', async () => {
    const port = await freePort();
    const error = (await connectTcp(port, { framing: 'newline' }).catch((e: unknown) => e)) as {
      code: string;
    };
    expect(error.code).to.equal('ECONNREFUSED');
  });

  it('serveTcp() rejects when the port is taken', async () => {
    const server = await serve(() => undefined);
    const error = (await serveTcp(() => undefined, {
      framing: 'newline',
      port: server.port,
    }).catch((e: unknown) => e)) as { code: string };
    expect(error.code).to.equal('EADDRINUSE');
  });

  it('throws at once for invalid arguments', () => {
    expect(() => serveTcp('no' as never, { framing: 'newline' })).to.throw(
      TypeError,
      'onConnection must be a function, got no',
    );
    expect(() => serveTcp(() => undefined, {} as never)).to.throw(
      TypeError,
      `The "framing" option must be 'content-length' or 'newline', got undefined`,
    );
    expect(() => serveTcp(() => undefined, { framing: 'newline', port: 70_000 })).to.throw(
      RangeError,
      'The port must be an integer from 0 to 65535, got 70000',
    );
    expect(() => connectTcp(0, { framing: 'newline' })).to.throw(
      RangeError,
      'The port must be an integer from 1 to 65535, got 0',
    );
    expect(() => connectTcp(80, { framing: 'newline', host: '' })).to.throw(
      TypeError,
      'The "host" option must be a non-empty string, got ',
    );
    expect(() => connectTcp(80, { framing: 'newline', maxPendingRequests: 0 })).to.throw(
      RangeError,
      'The "maxPendingRequests" option must be a positive integer, got 0',
    );
  });

  it('passes connection options through to both sides', async () => {
    const server = await serve((connection) =>
      connection.serve({ never: () => new Promise(() => undefined) }),
    );
    const client: JsonRpcConnection = await connectTcp(server.port, {
      framing: 'content-length',
      timeout: 20,
    });
    const error = (await client.request('never').catch((e: unknown) => e)) as Error;
    expect(error.name).to.equal('RequestTimeoutError');
    await client.close();
  });
});
