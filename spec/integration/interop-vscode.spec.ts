/**
 * Interoperability with vscode-jsonrpc, the LSP's own JSON-RPC library: its client against
 * our server, our client against its server, calls both ways, and cancellation.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { firstValueFrom } from 'rxjs';
import * as vscode from 'vscode-jsonrpc/node';
import {
  InvalidParamsError,
  JsonRpcConnection,
  JsonRpcConnectionType,
  JsonRpcError,
  RequestCancelledError,
} from '../../lib/index.js';
import { StreamTransport } from '../../lib/transports/byte-stream/transport.js';
import { serveTcp } from '../../lib/endpoints/byte-stream/tcp.js';

/** Our connection and a vscode-jsonrpc one, back to back over two pipes. */
function pipedPair() {
  const toOurs = new PassThrough();
  const toTheirs = new PassThrough();
  const ours = new JsonRpcConnection(
    new StreamTransport(toOurs, toTheirs, { framing: 'content-length' }),
    JsonRpcConnectionType.PEER,
  );
  const theirs = vscode.createMessageConnection(
    new vscode.StreamMessageReader(toTheirs),
    new vscode.StreamMessageWriter(toOurs),
  );
  theirs.listen();
  const close = async () => {
    theirs.dispose();
    await ours.close();
    toOurs.destroy();
    toTheirs.destroy();
  };
  return { ours, theirs, close };
}

/** A handler that waits for its signal and reports the abort. */
function waitForAbort(aborted: string[]) {
  return (_params: unknown, { signal }: { signal: AbortSignal }) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        aborted.push(String(signal.reason));
        reject(new RequestCancelledError());
      });
    });
}

describe('interop with vscode-jsonrpc', () => {
  it('its client calls our server: results, errors and notifications', async () => {
    const { ours, theirs, close } = pipedPair();
    const notes: unknown[] = [];
    ours.notifications$.subscribe((note) => notes.push([note.method, note.params]));
    ours.serve({
      add: (params) => (params as number[]).reduce((a, b) => a + b, 0),
      greet: (params) => `Hello, ${(params as { name: string }).name}!`,
      fail: () => {
        throw new JsonRpcError(-32001, 'Custom failure', { why: 'é😀' });
      },
    });
    expect(await theirs.sendRequest('add', 1, 2, 3)).to.equal(6);
    expect(await theirs.sendRequest('greet', { name: 'Zoë 😀' })).to.equal('Hello, Zoë 😀!');
    const failure = (await theirs
      .sendRequest('fail')
      .catch((e: unknown) => e)) as vscode.ResponseError;
    expect(failure).to.be.instanceOf(vscode.ResponseError);
    expect([failure.code, failure.message, failure.data]).to.deep.equal([
      -32001,
      'Custom failure',
      { why: 'é😀' },
    ]);
    const missing = (await theirs
      .sendRequest('nope')
      .catch((e: unknown) => e)) as vscode.ResponseError;
    expect(missing.code).to.equal(-32601);
    await theirs.sendNotification('textDocument/didOpen', { uri: 'file:///a.ts' });
    await theirs.sendRequest('add', 0);
    expect(notes).to.deep.equal([['textDocument/didOpen', { uri: 'file:///a.ts' }]]);
    await close();
  });

  it('our client calls its server: results, errors and notifications', async () => {
    const { ours, theirs, close } = pipedPair();
    const notes: unknown[] = [];
    theirs.onRequest('add', (a: number, b: number) => a + b);
    theirs.onRequest('named', (params: { text: string }) => params.text.length);
    theirs.onRequest(
      'strict',
      () => new vscode.ResponseError(-32602, 'Expected numbers', { got: 'text' }),
    );
    theirs.onNotification('log', (params: unknown) => {
      notes.push(params);
    });
    expect(await ours.request('add', [2, 3])).to.equal(5);
    expect(await ours.request('named', { text: 'é😀' })).to.equal(3);
    const error = (await ours.request('strict').catch((e: unknown) => e)) as JsonRpcError;
    expect(error).to.be.instanceOf(InvalidParamsError);
    expect([error.message, error.data]).to.deep.equal(['Expected numbers', { got: 'text' }]);
    await ours.notify('log', { line: 1 });
    expect(await ours.request('add', [0, 0])).to.equal(0);
    expect(notes).to.deep.equal([{ line: 1 }]);
    await close();
  });

  it('calls go both ways at once: its request makes our handler call it back', async () => {
    const { ours, theirs, close } = pipedPair();
    theirs.onRequest('client/double', (n: number) => n * 2);
    ours.serve({
      quadruple: async (params, { connection }) => {
        const twice = await connection.request('client/double', params);
        return connection.request('client/double', [twice]);
      },
    });
    const results = await Promise.all([1, 2, 3].map((n) => theirs.sendRequest('quadruple', n)));
    expect(results).to.deep.equal([4, 8, 12]);
    await close();
  });

  it("its CancellationTokenSource aborts our handler's signal, and it gets -32800", async () => {
    const { ours, theirs, close } = pipedPair();
    const aborted: string[] = [];
    const started = new Promise<void>((resolve) =>
      ours.serve({
        slow: (params, context) => {
          resolve();
          return waitForAbort(aborted)(params, context);
        },
      }),
    );
    const source = new vscode.CancellationTokenSource();
    const answer = theirs
      .sendRequest('slow', { ms: 10_000 }, source.token)
      .catch((e: unknown) => e);
    await started;
    source.cancel();
    const error = (await answer) as vscode.ResponseError;
    expect(error).to.be.instanceOf(vscode.ResponseError);
    expect(error.code).to.equal(-32800);
    expect(aborted).to.have.length(1);
    expect(ours.incomingCount).to.equal(0);
    source.dispose();
    await close();
  });

  it('our AbortSignal cancels its handler through its CancellationToken', async () => {
    const { ours, theirs, close } = pipedPair();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const cancelled = new Promise<boolean>((resolve) =>
      theirs.onRequest('slow', (_params: unknown, token: vscode.CancellationToken) => {
        started();
        return new Promise((done) =>
          token.onCancellationRequested(() => {
            resolve(token.isCancellationRequested);
            done(new vscode.ResponseError(-32800, 'cancelled'));
          }),
        );
      }),
    );
    const controller = new AbortController();
    const request = ours
      .request('slow', {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    await running;
    controller.abort();
    expect(await request).to.be.instanceOf(RequestCancelledError);
    expect(await cancelled).to.equal(true);
    await close();
  });

  it('its client talks to our TCP server over a real socket', async () => {
    const server = await serveTcp((connection) => connection.serve({ ping: () => 'pong' }), {
      framing: 'content-length',
    });
    const socket: Socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    const theirs = vscode.createMessageConnection(
      new vscode.SocketMessageReader(socket),
      new vscode.SocketMessageWriter(socket),
    );
    theirs.listen();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => theirs.sendRequest('ping')),
    );
    expect(new Set(answers)).to.deep.equal(new Set(['pong']));
    const [connection] = server.connections;
    theirs.dispose();
    socket.end();
    expect((await firstValueFrom(connection!.closed$)).reason).to.equal('remote');
    await server.close();
  });
});
