/**
 * Over loopback TCP, 64 calls in flight, each server in a process of its own: a raw newline
 * echo (the physical limit), this project's StreamTransport with Content-Length and with
 * newline framing, and vscode-jsonrpc's client and server over the same kind of socket
 * (Nagle off everywhere).
 */
import { connect, type Socket } from 'node:net';
import * as rpc from 'vscode-jsonrpc/node';
import { connectTcp, type StreamFraming } from '../dist/node.js';
import { Child } from './child.js';
import { compare, InOrder, type Call } from './harness.js';

const CALLS = 50_000;
export const STREAM_WINDOW = 64;
const HOST = '127.0.0.1';
const LINE = '{"jsonrpc":"2.0","id":1,"method":"echo","params":["hello"]}\n';

interface Subject {
  call: Call;
  close: () => Promise<void>;
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: HOST, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A server of `kind` in a process of its own (tcp-server.ts), and its port. */
async function server(kind: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = Child.start('tcp-server.ts', [kind]);
  return { port: Number(await child.expect('PORT')), stop: () => child.stop() };
}

/** A net server echoing bytes back; the client resolves one call per newline received. */
async function rawEcho(): Promise<Subject> {
  const echo = await server('raw');
  const socket = await dial(echo.port);
  const inOrder = new InOrder();
  socket.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) inOrder.answered();
  });
  return {
    call: () => inOrder.call(() => socket.write(LINE)),
    close: async () => {
      socket.destroy();
      await echo.stop();
    },
  };
}

async function ours(framing: StreamFraming): Promise<Subject> {
  const echo = await server(framing);
  const client = await connectTcp(echo.port, { framing });
  return {
    call: () => client.request('echo', ['hello']),
    close: async () => {
      await client.close();
      await echo.stop();
    },
  };
}

async function vscode(): Promise<Subject> {
  const echo = await server('vscode-jsonrpc');
  const socket = await dial(echo.port);
  const client = rpc.createMessageConnection(
    new rpc.SocketMessageReader(socket),
    new rpc.SocketMessageWriter(socket),
  );
  client.listen();
  return {
    call: () => client.sendRequest('echo', ['hello']),
    close: async () => {
      client.dispose();
      socket.destroy();
      await echo.stop();
    },
  };
}

export const STREAM_KINDS = [
  'raw TCP newline echo',
  'rxjs-jsonrpc, Content-Length',
  'rxjs-jsonrpc, newline',
  'vscode-jsonrpc',
] as const;

/** Calls per second of each subject over loopback TCP, their rounds interleaved. */
export async function benchStreams(): Promise<Record<string, number>> {
  const makers: Record<(typeof STREAM_KINDS)[number], () => Promise<Subject>> = {
    'raw TCP newline echo': rawEcho,
    'rxjs-jsonrpc, Content-Length': () => ours('content-length'),
    'rxjs-jsonrpc, newline': () => ours('newline'),
    'vscode-jsonrpc': vscode,
  };
  const subjects: Record<string, Subject> = {};
  try {
    for (const kind of STREAM_KINDS) subjects[kind] = await makers[kind]();
    return await compare(
      Object.fromEntries(Object.entries(subjects).map(([name, subject]) => [name, subject.call])),
      { window: STREAM_WINDOW, calls: CALLS },
    );
  } finally {
    for (const subject of Object.values(subjects)) await subject.close();
  }
}
