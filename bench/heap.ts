/**
 * Heap per pending request (100,000 unanswered) and per idle WebSocket connection (10,000
 * clients, in a child process, on one server in this process), this project against peers.
 */
import type { AddressInfo } from 'node:net';
import { JSONRPCClient } from 'json-rpc-2.0';
import { Client as RpcWebSocketsClient } from 'rpc-websockets';
import { Observable } from 'rxjs';
import { WebSocketServer } from 'ws';
import { JsonRpcConnection, type Transport } from '../dist/index.js';
import { Child } from './child.js';
import { gc } from './harness.js';
import { IDLE_SERVERS } from './idle-servers.js';

const PENDING = 100_000;
const IDLE_CLIENTS = 10_000;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A transport that swallows every frame: requests stay pending for ever. */
function sink(): Transport {
  return Object.assign(new Observable<Uint8Array>(() => undefined), {
    textFrames: true,
    next: () => undefined,
    error: () => undefined,
    complete: () => undefined,
  });
}

type Pending = {
  make(): Promise<(i: number) => PromiseLike<unknown>>;
  close(): void | Promise<void>;
};

/** Bytes of heap per pending request, measured with `make` for each subject. */
export async function benchPendingHeap(): Promise<Record<string, number>> {
  const subjects: Record<string, Pending> = {};
  const connection = new JsonRpcConnection(sink());
  subjects['rxjs-jsonrpc'] = {
    make: async () => (i) => connection.request('echo', [i]),
    close: () => connection.close(),
  };
  const jsonRpc2 = new JSONRPCClient(() => undefined);
  subjects['json-rpc-2.0'] = {
    make: async () => (i) => jsonRpc2.request('echo', [i]),
    close: () => jsonRpc2.rejectAllPendingRequests('closed'),
  };
  const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => silent.once('listening', resolve));
  const rpcws = new RpcWebSocketsClient(
    `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    {
      reconnect: false,
    },
  );
  await new Promise((resolve) => rpcws.once('open', resolve));
  subjects['rpc-websockets'] = {
    make: async () => (i) => rpcws.call('echo', [i]),
    close: () => rpcws.close(),
  };
  const map = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  subjects['a bare Map of promises'] = {
    make: async () => (i) => new Promise((resolve, reject) => map.set(i, { resolve, reject })),
    close: () => map.clear(),
  };
  const results: Record<string, number> = {};
  for (const [name, subject] of Object.entries(subjects)) {
    const call = await subject.make();
    const before = heapUsed();
    const promises: PromiseLike<unknown>[] = [];
    for (let i = 0; i < PENDING; i++) promises.push(call(i));
    results[name] = (heapUsed() - before) / PENDING;
    for (const promise of promises) void Promise.resolve(promise).catch(() => undefined);
    await subject.close();
  }
  for (const client of silent.clients) client.terminate();
  silent.close();
  return results;
}

/** Bytes of server heap per idle connection, for each server kind, each in its own process. */
export async function benchIdleHeap(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  for (const name of Object.keys(IDLE_SERVERS)) {
    const server = Child.start('idle-server.ts', [name], ['--expose-gc']);
    let crowd: Child | undefined;
    try {
      const port = await server.expect('PORT');
      server.send('HEAP');
      const before = Number(await server.expect('HEAP'));
      crowd = Child.start('ws-clients.ts', [`ws://127.0.0.1:${port}/`, String(IDLE_CLIENTS), '0']);
      await crowd.expect('READY', 120_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      server.send('HEAP');
      results[name] = (Number(await server.expect('HEAP')) - before) / IDLE_CLIENTS;
    } finally {
      await crowd?.stop();
      await server.stop();
    }
  }
  return results;
}
