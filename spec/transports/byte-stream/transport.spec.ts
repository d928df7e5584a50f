import { expect } from 'chai';
import sinon from 'sinon';
import { connect, createServer, Socket, type Server } from 'node:net';
import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { firstValueFrom } from 'rxjs';
import {
  JsonRpcConnection,
  JsonRpcConnectionType,
  type JsonRpcCloseEvent,
} from '../../../lib/index.js';
import { FramingError } from '../../../lib/transports/framing/decoder.js';
import {
  StreamTransport,
  WriteBufferFullError,
} from '../../../lib/transports/byte-stream/transport.js';
import {
  DEFAULT_MAX_WRITE_BUFFER_BYTES,
  type StreamFraming,
  type StreamTransportOptions,
} from '../../../lib/transports/byte-stream/options.js';
import { settle } from '../../helpers/pair.js';

const FRAMINGS: StreamFraming[] = ['content-length', 'newline'];
const EVENTS = ['data', 'end', 'error', 'close', 'finish', 'drain', 'readable'];

/** How many listeners each event has. */
const listeners = (stream: Readable | Writable): number[] =>
  EVENTS.map((name) => stream.listenerCount(name));

/** Both ends of a pipe pair: what a writes, b reads, and back. */
function pipes() {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return { aToB, bToA };
}

function connectionPair(framing: StreamFraming, serverOptions?: Partial<StreamTransportOptions>) {
  const { aToB, bToA } = pipes();
  const serverTransport = new StreamTransport(aToB, bToA, { framing, ...serverOptions });
  const server = new JsonRpcConnection(serverTransport, JsonRpcConnectionType.SERVER);
  const client = new JsonRpcConnection(new StreamTransport(bToA, aToB, { framing }));
  return { client, server, aToB, bToA, serverTransport };
}

/** A server connection whose wire is driven by hand: write raw bytes in, read raw text out. */
function rawServer(framing: StreamFraming, options?: Partial<StreamTransportOptions>) {
  const input = new PassThrough();
  const output = new PassThrough();
  const transport = new StreamTransport(input, output, { framing, ...options });
  const connection = new JsonRpcConnection(transport, JsonRpcConnectionType.SERVER);
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const closed = firstValueFrom(connection.closed$);
  return { input, output, transport, connection, closed, read: () => written };
}

const lsp = (json: string): string => `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
const PARSE_ERROR = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}';

describe('StreamTransport', () => {
  afterEach(() => sinon.restore());

  describe('options', () => {
    const stream = new PassThrough();
    after(() => stream.destroy());

    it('has no default framing and validates every option loudly', () => {
      const make = (options: unknown) => () =>
        new StreamTransport(stream, stream, options as StreamTransportOptions);
      expect(make({})).to.throw(
        TypeError,
        `The "framing" option must be 'content-length' or 'newline', got undefined`,
      );
      expect(make({ framing: 'lsp' })).to.throw(
        TypeError,
        `The "framing" option must be 'content-length' or 'newline', got lsp`,
      );
      expect(make(undefined)).to.throw(TypeError, 'The options must be an object, got undefined');
      expect(make({ framing: 'newline', maxMessageBytes: 0 })).to.throw(
        RangeError,
        'The "maxMessageBytes" option must be a positive integer, got 0',
      );
      expect(make({ framing: 'newline', maxWriteBufferBytes: -5 })).to.throw(
        RangeError,
        'The "maxWriteBufferBytes" option must be a positive integer, got -5',
      );
      expect(make({ framing: 'newline', framesPerWrite: 0 })).to.throw(
        RangeError,
        'The "framesPerWrite" option must be a positive integer, got 0',
      );
      expect(make({ framing: 'content-length', maxHeaderBytes: 'big' })).to.throw(
        TypeError,
        'The "maxHeaderBytes" option must be a number, got big',
      );
      expect(make({ framing: 'newline', onFramingError: 1 })).to.throw(
        TypeError,
        'The "onFramingError" option must be a function',
      );
      expect(DEFAULT_MAX_WRITE_BUFFER_BYTES).to.equal(256 * 1024 * 1024);
    });

    it('wants Node streams', () => {
      expect(() => new StreamTransport({} as never, stream, { framing: 'newline' })).to.throw(
        TypeError,
        'The readable must be a Node.js Readable stream, got object',
      );
      expect(() => new StreamTransport(stream, null as never, { framing: 'newline' })).to.throw(
        TypeError,
        'The writable must be a Node.js Writable stream, got null',
      );
    });
  });

  for (const framing of FRAMINGS) {
    describe(`${framing} framing over pipes`, () => {
      it('carries calls both ways', async () => {
        const { client, server } = connectionPair(framing);
        server.serve({
          add: (params) => (params as number[]).reduce((a, b) => a + b, 0),
          twice: async (params, { connection }) => [
            await connection.request('echo', params),
            await connection.request('echo', params),
          ],
        });
        client.serve({ echo: (params) => params });
        expect(await client.request('add', [1, 2, 3])).to.equal(6);
        expect(await client.request('twice', ['é😀'])).to.deep.equal([['é😀'], ['é😀']]);
        const many = await Promise.all(
          Array.from({ length: 200 }, (_, i) => client.request('add', [i, 1])),
        );
        expect(many).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
        await client.close();
        expect((await firstValueFrom(server.closed$)).reason).to.equal('remote');
      });

      it('writes each frame, header included, in one write()', async () => {
        const { client, server, aToB } = connectionPair(framing);
        server.serve({ ping: () => 'pong' });
        const write = sinon.spy(aToB, 'write');
        await client.notify('note', ['é']);
        expect(await client.request('ping')).to.equal('pong');
        const writes = write.getCalls().map((call) => Buffer.from(call.args[0] as Uint8Array));
        const note = '{"jsonrpc":"2.0","method":"note","params":["é"]}';
        const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
        expect(writes.map(String)).to.deep.equal(
          framing === 'newline' ? [`${note}\n`, `${ping}\n`] : [lsp(note), lsp(ping)],
        );
        await client.close();
      });

      it('takes frames as text too, framed in one buffer, lengths in bytes', () => {
        const { aToB, bToA } = pipes();
        const transport = new StreamTransport(aToB, bToA, { framing });
        expect(transport.textFrames).to.equal(true);
        const write = sinon.spy(bToA, 'write');
        transport.next('{"a":"é😀"}');
        transport.next(Buffer.from('{"b":"€"}'));
        transport.next('{\n  "pretty": true\r\n}');
        const writes = write.getCalls().map((call) => String(call.args[0] as Uint8Array));
        expect(writes).to.deep.equal(
          framing === 'newline'
            ? ['{"a":"é😀"}\n', '{"b":"€"}\n', '{   "pretty": true  }\n']
            : [lsp('{"a":"é😀"}'), lsp('{"b":"€"}'), lsp('{\n  "pretty": true\r\n}')],
        );
        transport.complete();
      });

      it('removes every listener it added once the streams have closed', async () => {
        const { aToB, bToA } = pipes();
        const before = [listeners(aToB), listeners(bToA)];
        const server = new JsonRpcConnection(new StreamTransport(aToB, bToA, { framing }));
        server.serve({ ping: () => 'pong' });
        const client = new JsonRpcConnection(new StreamTransport(bToA, aToB, { framing }));
        expect(listeners(aToB)).not.to.deep.equal(before[0]);
        expect(await client.request('ping')).to.equal('pong');
        await client.close();
        await Promise.all([
          aToB.closed ? null : once(aToB, 'close'),
          bToA.closed ? null : once(bToA, 'close'),
        ]);
        expect([listeners(aToB), listeners(bToA)]).to.deep.equal(before);
        expect(server.closed).to.equal(true);
      });
    });
  }

  describe('closing', () => {
    it('complete() ends the writable, destroys a separate readable, completes the subscriber', async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const transport = new StreamTransport(input, output, { framing: 'newline' });
      const events: string[] = [];
      transport.subscribe({ complete: () => events.push('complete') });
      transport.next(Buffer.from('[1]'));
      transport.complete();
      transport.next(Buffer.from('[2]'));
      expect(events).to.deep.equal(['complete']);
      expect([output.writableEnded, input.destroyed]).to.deep.equal([true, true]);
      expect(String(output.read())).to.equal('[1]\n');
    });

    it("the readable's end completes the connection, even mid-way through nothing", async () => {
      const { input, closed, connection } = rawServer('newline');
      input.end('{"jsonrpc":"2.0","method":"note"}');
      const notes: unknown[] = [];
      connection.notifications$.subscribe((note) => notes.push(note.method));
      expect(await closed).to.deep.equal({ reason: 'remote' });
      expect(notes).to.deep.equal(['note']);
    });

    it("a stream's error closes the connection with it and destroys both streams", async () => {
      const { input, output, closed } = rawServer('content-length');
      const failure = new Error('EPIPE-ish');
      output.destroy(failure);
      const event: JsonRpcCloseEvent = await closed;
      expect(event).to.deep.equal({ reason: 'error', error: failure });
      expect(input.destroyed).to.equal(true);
    });

    it('error(e) destroys both streams and errors the subscriber with e', async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const transport = new StreamTransport(input, output, { framing: 'newline' });
      const errors: unknown[] = [];
      transport.subscribe({ error: (error: unknown) => errors.push(error) });
      const failure = new Error('gone');
      transport.error(failure);
      expect(errors).to.deep.equal([failure]);
      expect([input.destroyed, output.destroyed]).to.deep.equal([true, true]);
      await settle();
    });

    it('accepts one subscriber at a time, and tells a late one how it ended', async () => {
      const input = new PassThrough();
      const transport = new StreamTransport(input, new PassThrough(), { framing: 'newline' });
      const first = transport.subscribe({});
      const errors: unknown[] = [];
      transport.subscribe({ error: (error: unknown) => errors.push(error) });
      expect((errors[0] as Error).message).to.equal(
        'A stream transport accepts one subscriber at a time',
      );
      first.unsubscribe();
      input.end();
      input.resume();
      await once(input, 'end');
      let completed = false;
      transport.subscribe({ complete: () => (completed = true) });
      expect(completed).to.equal(true);
      transport.complete();
    });

    it('reads text chunks from a readable with an encoding set', async () => {
      const { input, read, connection } = rawServer('newline');
      connection.serve({ ping: () => 'pong' });
      input.setEncoding('utf8');
      input.write('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
      await settle();
      expect(read()).to.equal('{"jsonrpc":"2.0","id":7,"result":"pong"}\n');
      await connection.close();
    });
  });

  describe('framing errors', () => {
    it('content-length: garbage is reported, answered -32700, and the stream resynchronises', async () => {
      const onFramingError = sinon.spy();
      const { input, read, connection } = rawServer('content-length', { onFramingError });
      connection.serve({ ping: () => 'pong' });
      input.write('Starting the server…\n');
      input.write(lsp('{"jsonrpc":"2.0","id":1,"method":"ping"}'));
      await settle();
      expect(onFramingError.callCount).to.equal(1);
      const error = onFramingError.firstCall.args[0] as FramingError;
      expect([error.code, error.message]).to.deep.equal([
        'bad-header',
        'Malformed header line: "Starting the server…"',
      ]);
      expect(read()).to.equal(lsp(PARSE_ERROR) + lsp('{"jsonrpc":"2.0","id":1,"result":"pong"}'));
      await connection.close();
    });

    it('a throwing onFramingError is logged; the garbage is still answered -32700 and serving goes on', async () => {
      const logged = sinon.stub(console, 'error');
      try {
        const { input, read, connection } = rawServer('content-length', {
          onFramingError: () => {
            throw new Error('handler bug');
          },
        });
        connection.serve({ ping: () => 'pong' });
        input.write('Starting the server…\n');
        input.write(lsp('{"jsonrpc":"2.0","id":1,"method":"ping"}'));
        await settle();
        expect(read()).to.equal(lsp(PARSE_ERROR) + lsp('{"jsonrpc":"2.0","id":1,"result":"pong"}'));
        expect(logged.callCount).to.equal(1);
        expect(logged.firstCall.args[0]).to.equal(
          'rxjs-jsonrpc: the onFramingError callback threw',
        );
        await connection.close();
      } finally {
        logged.restore();
      }
    });

    it('content-length: an over-size message closes the connection with a fatal FramingError', async () => {
      const { input, output, closed } = rawServer('content-length', { maxMessageBytes: 100 });
      input.write('Content-Length: 101\r\n\r\n{');
      const event = await closed;
      expect(event.reason).to.equal('error');
      expect(event.error).to.be.instanceOf(FramingError);
      expect((event.error as FramingError).code).to.equal('too-large');
      expect([output.writableEnded, input.destroyed]).to.deep.equal([true, true]);
    });

    it('content-length: the stream ending inside a message closes with a truncated error', async () => {
      const { input, closed } = rawServer('content-length');
      input.end('Content-Length: 10\r\n\r\n{"a"');
      const event = await closed;
      expect([event.reason, (event.error as FramingError).message]).to.deep.equal([
        'error',
        'The stream ended inside a message: 4 of 10 bytes',
      ]);
    });

    it('newline: a stray line is answered -32700; an over-long one is dropped, reported and answered -32700', async () => {
      const onFramingError = sinon.spy();
      const { input, read, connection } = rawServer('newline', {
        maxMessageBytes: 64,
        onFramingError,
      });
      connection.serve({ ping: () => 'pong' });
      input.write('not json\n');
      input.write(`[${'1,'.repeat(40)}1]\n`);
      input.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
      await settle();
      expect(read().split('\n')).to.deep.equal([
        PARSE_ERROR,
        PARSE_ERROR,
        '{"jsonrpc":"2.0","id":2,"result":"pong"}',
        '',
      ]);
      expect((onFramingError.firstCall.args[0] as FramingError).code).to.equal('too-large');
      await connection.close();
    });
  });

  describe('backpressure', () => {
    it('keeps writing when write() returns false, in order', async () => {
      const input = new PassThrough();
      const output = new PassThrough({ highWaterMark: 16 });
      const transport = new StreamTransport(input, output, { framing: 'newline' });
      transport.subscribe({});
      for (let i = 0; i < 100; i++) transport.next(Buffer.from(String(i)));
      await settle();
      expect(output.writableNeedDrain).to.equal(true);
      const text: string[] = [];
      output.on('data', (chunk: Buffer) => text.push(String(chunk)));
      await settle();
      expect(text.join('')).to.equal(Array.from({ length: 100 }, (_, i) => `${i}\n`).join(''));
      transport.complete();
    });

    it('is congested while the writable is over its high-water mark; drain$ says when it drains', async () => {
      const input = new PassThrough();
      const output = new PassThrough({ highWaterMark: 64 });
      const transport = new StreamTransport(input, output, { framing: 'newline' });
      const before = output.listenerCount('drain');
      let drains = 0;
      const watching = transport.drain$.subscribe(() => drains++);
      transport.next(Buffer.from('[1]'));
      expect(transport.congested).to.equal(false);
      transport.next(Buffer.from(`[${'0,'.repeat(40)}0]`));
      await settle();
      expect([transport.congested, drains]).to.deep.equal([true, 0]);
      output.resume();
      await settle();
      expect([transport.congested, drains]).to.deep.equal([false, 1]);
      watching.unsubscribe();
      expect(output.listenerCount('drain')).to.equal(before);
      transport.complete();
    });

    it('errors with WriteBufferFullError past maxWriteBufferBytes queued', async () => {
      const { connection, closed, input, output } = rawServer('newline', {
        maxWriteBufferBytes: 1000,
      });
      output.removeAllListeners('data');
      output.pause();
      // Enough to fill the pipe's own buffers too: frames leave the transport 16 at a time.
      const padding = 'x'.repeat(1024);
      for (let i = 0; i < 100 && !connection.closed; i++) {
        void connection.notify('tick', [i, padding]).catch(() => undefined);
      }
      const event = await closed;
      expect(event.reason).to.equal('error');
      expect(event.error).to.be.instanceOf(WriteBufferFullError);
      expect((event.error as WriteBufferFullError).limit).to.equal(1000);
      expect((event.error as Error).message).to.equal(
        'More than 1000 bytes are waiting to be written: the peer is not reading',
      );
      expect([input.destroyed, output.destroyed]).to.deep.equal([true, true]);
    });
  });

  describe('over TCP', () => {
    let server: Server;
    let port: number;
    const accepted: Socket[] = [];

    beforeEach(async () => {
      server = createServer((socket) => accepted.push(socket));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as { port: number }).port;
    });

    afterEach(async () => {
      for (const socket of accepted.splice(0)) socket.destroy();
      server.close();
      await once(server, 'close');
    });

    async function socketPair(): Promise<[Socket, Socket]> {
      const client = connect(port, '127.0.0.1');
      await once(client, 'connect');
      while (accepted.length === 0) await settle();
      return [client, accepted[0]!];
    }

    for (const [framesPerWrite, writes] of [
      [undefined, 3],
      [1, 40],
    ] as const) {
      it(`writes a turn's 40 frames in ${writes} system calls with framesPerWrite ${String(framesPerWrite)}, in order`, async () => {
        const [a, b] = await socketPair();
        const transport = new StreamTransport(a, a, { framing: 'newline', framesPerWrite });
        transport.subscribe({});
        const calls = countWrites(a);
        let text = '';
        b.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        for (let i = 0; i < 40; i++) transport.next(`"frame ${i}"`);
        const expected = Array.from({ length: 40 }, (_, i) => `"frame ${i}"\n`).join('');
        for (let tries = 0; text.length < expected.length && tries < 200; tries++) await settle();
        expect(text).to.equal(expected);
        expect(calls()).to.equal(writes);
        transport.complete();
      });
    }

    for (const framing of FRAMINGS) {
      it(`${framing}: talks over a socket, sets no-delay, and leaves no listener behind`, async () => {
        const noDelay = sinon.spy(Socket.prototype, 'setNoDelay');
        const [a, b] = await socketPair();
        const before = [listeners(a), listeners(b)];
        const server = new JsonRpcConnection(new StreamTransport(b, b, { framing }));
        server.serve({ ping: (params) => ({ pong: params }) });
        const client = new JsonRpcConnection(new StreamTransport(a, a, { framing }));
        expect(noDelay.thisValues).to.include.members([a, b]);
        expect(noDelay.alwaysCalledWith(true)).to.equal(true);
        expect(await client.request('ping', ['é😀'])).to.deep.equal({ pong: ['é😀'] });
        await client.close();
        expect((await firstValueFrom(server.closed$)).reason).to.equal('remote');
        await Promise.all([a.closed ? null : once(a, 'close'), b.closed ? null : once(b, 'close')]);
        expect([listeners(a), listeners(b)]).to.deep.equal(before);
      });
    }
  });
});

/** Counts the system calls a socket makes from now on (its `_write` and `_writev`). */
function countWrites(socket: Socket): () => number {
  let calls = 0;
  const methods = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  for (const name of ['_write', '_writev'] as const) {
    const original = methods[name];
    methods[name] = function (this: Socket, ...args: unknown[]): void {
      calls++;
      original.apply(this, args);
    };
  }
  return () => calls;
}
