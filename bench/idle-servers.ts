/**
 * The WebSocket servers compared in the idle-connection heap benchmark, each answering
 * `echo` the way its library does.
 */
import type { AddressInfo } from 'node:net';
import { JSONRPCServer } from 'json-rpc-2.0';
import { Server as RpcWebSocketsServer } from 'rpc-websockets';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { serveWebSocket } from '../dist/node.js';

export interface IdleServer {
  port: number;
  close(): Promise<void> | void;
}

export const IDLE_SERVERS: Record<string, () => Promise<IdleServer>> = {
  'raw ws': async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    return { port: (wss.address() as AddressInfo).port, close: () => closeWss(wss) };
  },
  'rxjs-jsonrpc': async () => {
    // One method table for every connection, as the peers register their methods once.
    const methods = { echo: (params: unknown) => params };
    const server = await serveWebSocket((connection) => connection.serve(methods), {
      heartbeatMs: 0,
    });
    return { port: server.port, close: () => server.close() };
  },
  'rpc-websockets': async () => {
    const server = new RpcWebSocketsServer({ host: '127.0.0.1', port: 0 });
    server.register('echo', (params) => params);
    await new Promise((resolve) => server.on('listening', resolve));
    return { port: (server.wss.address() as AddressInfo).port, close: () => server.close() };
  },
  'json-rpc-2.0': async () => {
    const rpc = new JSONRPCServer();
    rpc.addMethod('echo', (params: unknown) => params);
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (socket: WebSocket) =>
      socket.on('message', (data) => {
        void rpc.receiveJSON((data as Buffer).toString()).then((response) => {
          if (response) socket.send(JSON.stringify(response));
        });
      }),
    );
    await new Promise((resolve) => wss.once('listening', resolve));
    return { port: (wss.address() as AddressInfo).port, close: () => closeWss(wss) };
  },
};

function closeWss(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}
