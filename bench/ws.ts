/**
 * WebSocket round trips per second at 1, 64 and 1,024 calls in flight, each server in a
 * process of its own on 127.0.0.1: raw `ws` echo (the physical limit), rxjs-jsonrpc,
 * rpc-websockets, and json-rpc-2.0 over ws.
 */
import { JSONRPCClient } from 'json-rpc-2.0';
import { Client as RpcWebSocketsClient } from 'rpc-websockets';
import WebSocket from 'ws';
import { connectWebSocket } from '../dist/node.js';
import { Child } from './child.js';
import { groupedSender } from './grouped.js';
import { compare, InOrder, type Call } from './harness.js';

export const WS_KINDS = [
  'raw',
  'raw, grouped',
  'rxjs-jsonrpc',
  'rpc-websockets',
  'json-rpc-2.0',
] as const;
export type WsKind = (typeof WS_KINDS)[number];
export const WS_WINDOWS = [1, 64, 1024] as const;

interface Client {
  call: Call;
  close(): Promise<void> | void;
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Raw echo: the same JSON text a JSON-RPC client would send, answered in order. */
async function rawClient(url: string): Promise<Client> {
  const socket = await openSocket(url);
  const inOrder = new InOrder();
  let id = 0;
  socket.on('message', () => inOrder.answered());
  return {
    call: () =>
      inOrder.call(() =>
        socket.send(`{"jsonrpc":"2.0","id":${++id},"method":"echo","params":["hello"]}`),
      ),
    close: () => socket.close(),
  };
}

/** Raw echo again, both ends writing each turn's frames in groups as rxjs-jsonrpc does. */
async function rawGroupedClient(url: string): Promise<Client> {
  const socket = await openSocket(url);
  const send = groupedSender(socket);
  const inOrder = new InOrder();
  let id = 0;
  socket.on('message', () => inOrder.answered());
  return {
    call: () =>
      inOrder.call(() => send(`{"jsonrpc":"2.0","id":${++id},"method":"echo","params":["hello"]}`)),
    close: () => socket.close(),
  };
}

async function oursClient(url: string): Promise<Client> {
  const connection = await connectWebSocket(url);
  return { call: () => connection.request('echo', ['hello']), close: () => connection.close() };
}

async function rpcWebSocketsClient(url: string): Promise<Client> {
  const client = new RpcWebSocketsClient(url, { reconnect: false });
  await new Promise((resolve) => client.once('open', resolve));
  return { call: () => client.call('echo', ['hello']), close: () => client.close() };
}

async function jsonRpc2Client(url: string): Promise<Client> {
  const socket = await openSocket(url);
  const client = new JSONRPCClient((request) => socket.send(JSON.stringify(request)));
  socket.on('message', (data) =>
    client.receive(JSON.parse((data as Buffer).toString()) as Parameters<typeof client.receive>[0]),
  );
  return { call: () => client.request('echo', ['hello']), close: () => socket.close() };
}

const CLIENTS: Record<WsKind, (url: string) => Promise<Client>> = {
  raw: rawClient,
  'raw, grouped': rawGroupedClient,
  'rxjs-jsonrpc': oursClient,
  'rpc-websockets': rpcWebSocketsClient,
  'json-rpc-2.0': jsonRpc2Client,
};

/** Calls per second for every kind at every window: results[kind][window]. */
export async function benchWebSocket(): Promise<Record<WsKind, Record<number, number>>> {
  const servers = WS_KINDS.map((kind) => Child.start('ws-server.ts', [kind]));
  const clients: Partial<Record<WsKind, Client>> = {};
  try {
    for (const [index, kind] of WS_KINDS.entries()) {
      const url = `ws://127.0.0.1:${await servers[index]!.expect('PORT')}/`;
      clients[kind] = await CLIENTS[kind](url);
    }
    const calls = Object.fromEntries(WS_KINDS.map((kind) => [kind, clients[kind]!.call]));
    const results = Object.fromEntries(WS_KINDS.map((kind) => [kind, {}])) as Record<
      WsKind,
      Record<number, number>
    >;
    for (const window of WS_WINDOWS) {
      const rates = await compare(calls, { window, calls: window === 1 ? 10_000 : 60_000 });
      for (const kind of WS_KINDS) results[kind][window] = rates[kind]!;
    }
    return results;
  } finally {
    for (const client of Object.values(clients)) await client.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
}
