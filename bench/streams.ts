/**
 * Over loopback TCP, 64 calls in flight: a raw newline echo (the physical limit), this
 * project's StreamTransport with Content-Length and with newline framing, and
 * vscode-jsonrpc's client and server over the same kind of socket (Nagle off everywhere).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import * as rpc from 'vscode-jsonrpc/node';
import { connectTcp, serveTcp, type StreamFraming } from '../dist/node.js';
import { compare, InOrder, type Call } from './harness.js';

const CALLS = 50_000;
export const STREAM_WINDOW = 64;
const HOST = '127.0.0.1';
const LINE = '{"jsonrpc":"2.0","id":1,"method":"echo","params":["hello"]}\n';

interface Subject {
  call: Call;
  close: () => Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, HOST, () => resolve((server.address() as { port: number }).port));
  });
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: HOST, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function shutdown(server: Server, ...sockets: Socket[]): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A net server echoing bytes back; the client resolves one call per newline received. */
async function rawEcho(): Promise<Subject> {
  const accepted: Socket[] = [];
  const server = createServer({ noDelay: true }, (socket) => {
    accepted.push(socket);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  const socket = await dial(await listen(server));
  const inOrder = new InOrder();
  socket.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) inOrder.answered();
  });
  return {
    call: () => inOrder.call(() => socket.write(LINE)),
    close: () => shutdown(server, socket, ...accepted),
  };
}

async function ours(framing: StreamFraming): Promise<Subject> {
  const server = await serveTcp((connection) => connection.serve({ echo: (params) => params }), {
    framing,
  });
  const client = await connectTcp(server.port, { framing });
  return {
    call: () => client.request('echo', ['hello']),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

async function vscode(): Promise<Subject> {
  const accepted: Socket[] = [];
  const server = createServer({ noDelay: true }, (socket) => {
    accepted.push(socket);
    const connection = rpc.createMessageConnection(
      new rpc.SocketMessageReader(socket),
      new rpc.SocketMessageWriter(socket),
    );
    connection.onRequest('echo', (params: unknown) => params);
    connection.listen();
  });
  const socket = await dial(await listen(server));
  const client = rpc.createMessageConnection(
    new rpc.SocketMessageReader(socket),
    new rpc.SocketMessageWriter(socket),
  );
  client.listen();
  return {
    call: () => client.sendRequest('echo', ['hello']),
    close: async () => {
      client.dispose();
      await shutdown(server, socket, ...accepted);
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
