import { expect } from 'chai';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { JsonRpcConnection } from '../../../lib/index.js';
import { SlowPeerError, WebSocketTransport } from '../../../lib/node.js';
import { closeCode, closed, delay, text } from '../../helpers/ws-wire.js';
import { until } from '../../helpers/relink.js';

interface SocketPair {
  server: WebSocket;
  client: WebSocket;
  /** The client's TCP socket: pause it to make a peer that stops reading. */
  tcp: Socket;
  close(): Promise<void>;
}

/** A connected pair of raw `ws` sockets on 127.0.0.1. */
async function socketPair(): Promise<SocketPair> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  let tcp: Socket | undefined;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, {
    createConnection: (options: object) =>
      (tcp = connect(options as { port: number; host: string })),
  });
  await new Promise((resolve) => client.once('open', resolve));
  const server = await serverSide;
  return {
    server,
    client,
    tcp: tcp!,
    close: async () => {
      tcp?.resume();
      client.terminate();
      server.terminate();
      await closed(client);
      await closed(server);
      wss.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('WebSocketTransport', () => {
  const opened: SocketPair[] = [];
  afterEach(async () => {
    for (const pair of opened.splice(0)) await pair.close();
  });

  it('sends text frames, receives text and binary, and removes its listeners on teardown', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const listeners = () =>
      ['message', 'error', 'close'].map((event) => pair.server.listenerCount(event));
    const before = listeners();
    const transport = new WebSocketTransport(pair.server);
    const received: string[] = [];
    const subscription = transport.subscribe({
      next: (frame) =>
        received.push(
          typeof frame === 'string' ? `text:${frame}` : new TextDecoder().decode(frame),
        ),
    });
    expect(listeners()).to.deep.equal(before.map((n) => n + 1));
    const kinds: boolean[] = [];
    pair.client.on('message', (_data, isBinary) => kinds.push(isBinary));
    transport.next(bytes('{"a":1}'));
    transport.next('{"b":2}');
    pair.client.send('text');
    pair.client.send(Buffer.from('binary'), { binary: true });
    await delay(30);
    expect(received).to.deep.equal(['text:text', 'binary']);
    expect(kinds).to.deep.equal([false, false]);
    subscription.unsubscribe();
    expect(listeners()).to.deep.equal(before);
  });

  it('completes on close and keeps the close code and reason', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const transport = new WebSocketTransport(pair.server);
    const done = new Promise<void>((resolve) => transport.subscribe({ complete: resolve }));
    pair.client.close(4001, 'bye');
    await done;
    expect(transport.closeInfo).to.deep.equal({ code: 4001, reason: 'bye' });
  });

  it('holds what arrives before its subscriber and hands it over on a later turn, then the close', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const transport = new WebSocketTransport(pair.server);
    const serverClosed = new Promise((resolve) => pair.server.once('close', resolve));
    for (const frame of ['one', 'two', 'three']) pair.client.send(frame);
    pair.client.close(4001, 'bye');
    await serverClosed;
    const events: string[] = [];
    transport.subscribe({
      next: (frame) => events.push(String(frame)),
      complete: () => events.push('complete'),
    });
    events.push('subscribed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).to.deep.equal(['subscribed', 'one', 'two', 'three', 'complete']);
    expect(transport.closeInfo).to.deep.equal({ code: 4001, reason: 'bye' });
  });

  it('stops reading while it holds highWaterMark bytes, and reads on once they are delivered', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const transport = new WebSocketTransport(pair.server, { highWaterMark: 64 * 1024 });
    const padding = ' '.repeat(16 * 1024);
    const frames = 100;
    for (let i = 0; i < frames; i++) pair.client.send(String(i).padEnd(8) + padding);
    await until(() => pair.server.isPaused, 'the socket to stop reading');
    const received: number[] = [];
    transport.subscribe({ next: (frame) => received.push(Number(String(frame).slice(0, 8))) });
    await until(() => received.length === frames, 'every frame');
    expect(received).to.deep.equal(Array.from({ length: frames }, (_, i) => i));
    expect(pair.server.isPaused).to.equal(false);
  });

  it('queues frames while the peer does not read, then sends them all in order', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const transport = new WebSocketTransport(pair.server, { highWaterMark: 64 * 1024 });
    transport.subscribe({});
    const received: number[] = [];
    pair.client.on('message', (data) => received.push(Number(text(data).slice(0, 8))));
    pair.tcp.pause();
    const padding = ' '.repeat(64 * 1024);
    const frames = 300; // ~20 MB: more than loopback's socket buffers hold
    for (let i = 0; i < frames; i++) transport.next(bytes(String(i).padEnd(8) + padding));
    expect(transport.congested).to.equal(true);
    expect(pair.server.bufferedAmount).to.be.lessThan(frames * padding.length);
    pair.tcp.resume();
    const deadline = Date.now() + 5000;
    while (received.length < frames && Date.now() < deadline) await delay(5);
    expect(received).to.deep.equal(Array.from({ length: frames }, (_, i) => i));
    expect(transport.congested).to.equal(false);
  });

  it('drops a peer that reads too slowly at once: terminated, SlowPeerError, pending requests rejected', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const transport = new WebSocketTransport(pair.server, {
      highWaterMark: 64 * 1024,
      maxBufferedBytes: 4 * 1024 * 1024,
    });
    const connection = new JsonRpcConnection(transport);
    const serverClosed = new Promise<number>((resolve) => pair.server.once('close', resolve));
    pair.tcp.pause();
    const pending = connection.request('x').catch((e: unknown) => e);
    const padding = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 300 && !connection.closed; i++) {
      void connection.notify('flood', [padding]).catch(() => undefined);
    }
    const error = (await pending) as Error;
    expect(error.name).to.equal('ConnectionClosedError');
    expect(error.cause).to.be.instanceOf(SlowPeerError);
    // With the peer still not reading: no closing handshake is waited for.
    expect(await serverClosed).to.equal(1006);
  });

  for (const [framesPerWrite, writes] of [
    [16, 3],
    [1, 40],
  ] as const) {
    it(`writes a turn's 40 frames in ${writes} system calls with framesPerWrite ${framesPerWrite}, in order`, async () => {
      const pair = await socketPair();
      opened.push(pair);
      const transport = new WebSocketTransport(pair.server, { framesPerWrite });
      transport.subscribe({});
      const tcp = (pair.server as unknown as { _socket: { _writev: unknown; _write: unknown } })
        ._socket;
      let calls = 0;
      for (const method of ['_writev', '_write'] as const) {
        const original = tcp[method] as (...args: unknown[]) => unknown;
        tcp[method] = function (this: unknown, ...args: unknown[]) {
          calls++;
          return original.apply(this, args);
        };
      }
      const received: string[] = [];
      const all = new Promise<void>((resolve) =>
        pair.client.on('message', (data) => {
          if (received.push(text(data)) === 40) resolve();
        }),
      );
      for (let i = 0; i < 40; i++) transport.next(`frame ${i}`);
      await all;
      expect(received).to.deep.equal(Array.from({ length: 40 }, (_, i) => `frame ${i}`));
      expect(calls).to.equal(writes);
    });
  }

  it('accepts one subscriber at a time, and one subscribed transport per socket', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const transport = new WebSocketTransport(pair.server);
    const subscription = transport.subscribe({});
    const errors: string[] = [];
    transport.subscribe({ error: (e: Error) => errors.push(e.message) });
    const other = new WebSocketTransport(pair.server);
    other.subscribe({ error: (e: Error) => errors.push(e.message) });
    expect(errors).to.deep.equal([
      'A WebSocket transport accepts one subscriber at a time',
      'This WebSocket already has a subscribed transport',
    ]);
    subscription.unsubscribe();
    const received: string[] = [];
    other.subscribe({ next: (frame) => received.push(String(frame)) });
    pair.client.send('to the second');
    await until(() => received.length === 1, 'the frame');
    expect(received).to.deep.equal(['to the second']);
  });

  it('a protocol error from the peer while its socket closes does not throw', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const connection = new JsonRpcConnection(new WebSocketTransport(pair.server));
    const serverClosed = closeCode(pair.server);
    await connection.close();
    // A frame with the reserved opcode 3, masked as a client's must be: ws rejects it.
    pair.tcp.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
    expect(await serverClosed).to.equal(1006);
  });

  it('hands what it holds for nobody to a transport subscribed to the same socket', async () => {
    const pair = await socketPair();
    opened.push(pair);
    const idle = new WebSocketTransport(pair.server);
    pair.client.send('held');
    await delay(30);
    const other = new WebSocketTransport(pair.server);
    const received: string[] = [];
    other.subscribe({ next: (frame) => received.push(String(frame)) });
    pair.client.send('live');
    await until(() => received.length === 2, 'both frames');
    expect(received).to.deep.equal(['held', 'live']);
    const errors: string[] = [];
    idle.subscribe({ error: (e: Error) => errors.push(e.message) });
    expect(errors).to.deep.equal(['This WebSocket already has a subscribed transport']);
  });

  it('validates its options', () => {
    expect(() => new WebSocketTransport({} as WebSocket, { highWaterMark: 0 })).to.throw(
      RangeError,
      'The "highWaterMark" option must be a positive integer, got 0',
    );
    expect(() => new WebSocketTransport({} as WebSocket, { framesPerWrite: 0.5 })).to.throw(
      RangeError,
      'The "framesPerWrite" option must be a positive integer, got 0.5',
    );
  });
});
