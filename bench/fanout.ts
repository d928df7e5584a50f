/**
 * Notifications per second pushed from one server to 100 WebSocket clients (a dashboard's
 * fan-out). The server runs here; the clients, raw `ws` sockets counting messages, run in a
 * child process. Raw `ws` broadcasting the same text is the physical limit.
 */
import type { AddressInfo } from 'node:net';
import { Server as RpcWebSocketsServer } from 'rpc-websockets';
import { WebSocketServer } from 'ws';
import { serveWebSocket, type JsonRpcConnection } from '../dist/node.js';
import { Child } from './child.js';
import { median } from './harness.js';

const CLIENTS = 100;
const BROADCASTS = 2_000;
const ROUNDS = 3;

interface Broadcaster {
  port: number;
  /** Sends notification number `i` to every client. */
  broadcast(i: number): void;
  close(): Promise<void> | void;
}

const BROADCASTERS: Record<string, () => Promise<Broadcaster>> = {
  'raw ws': async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    return {
      port: (wss.address() as AddressInfo).port,
      broadcast: (i) => {
        const text = `{"jsonrpc":"2.0","method":"tick","params":[${i}]}`;
        for (const socket of wss.clients) socket.send(text);
      },
      close: () => closeWss(wss),
    };
  },
  'rxjs-jsonrpc': async () => {
    const connections = new Set<JsonRpcConnection>();
    const server = await serveWebSocket(
      (connection) => {
        connections.add(connection);
        connection.closed$.subscribe(() => connections.delete(connection));
      },
      { heartbeatMs: 0 },
    );
    return {
      port: server.port,
      broadcast: (i) => {
        for (const connection of connections) void connection.notify('tick', [i]);
      },
      close: () => server.close(),
    };
  },
  'rpc-websockets': async () => {
    const server = new RpcWebSocketsServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.on('listening', resolve));
    server.event('tick');
    return {
      port: (server.wss.address() as AddressInfo).port,
      broadcast: (i) => server.emit('tick', String(i)),
      close: () => server.close(),
    };
  },
};

function closeWss(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}

/** Notifications delivered per second (across all clients), for each server kind. */
export async function benchFanoutNotifications(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  for (const [name, start] of Object.entries(BROADCASTERS)) {
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const server = await start();
      const crowd = Child.start('ws-clients.ts', [
        `ws://127.0.0.1:${server.port}/`,
        String(CLIENTS),
        String(BROADCASTS),
      ]);
      try {
        await crowd.expect('READY');
        if (name === 'rpc-websockets') await subscribeAll(crowd);
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (let i = 0; i < BROADCASTS; i++) server.broadcast(i);
        const ms = Number(await crowd.expect('DONE'));
        rates.push((CLIENTS * BROADCASTS * 1000) / ms);
      } finally {
        await crowd.stop();
        await server.close();
      }
    }
    results[name] = median(rates);
  }
  return results;
}

/** rpc-websockets only sends events to clients that called `rpc.on`; the crowd does that on request. */
async function subscribeAll(crowd: Child): Promise<void> {
  crowd.send('SUBSCRIBE tick');
  await crowd.expect('SUBSCRIBED');
}
