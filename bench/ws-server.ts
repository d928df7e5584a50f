/**
 * A WebSocket echo server of one kind on 127.0.0.1, for the round-trip benchmark:
 *   raw | raw, grouped | rxjs-jsonrpc | rpc-websockets | json-rpc-2.0
 * Prints `PORT <n>`, then serves until stdin closes.
 */
import type { AddressInfo } from 'node:net';
import { JSONRPCServer } from 'json-rpc-2.0';
import { Server as RpcWebSocketsServer } from 'rpc-websockets';
import { WebSocketServer } from 'ws';
import { serveWebSocket } from '../dist/node.js';
import { groupedSender } from './grouped.js';

const kind = process.argv[2];

async function start(): Promise<number> {
  switch (kind) {
    case 'raw': {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.on('connection', (socket) =>
        socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })),
      );
      await new Promise((resolve) => wss.once('listening', resolve));
      return (wss.address() as AddressInfo).port;
    }
    case 'raw, grouped': {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.on('connection', (socket) => {
        const send = groupedSender(socket);
        socket.on('message', (data) => send(data as Buffer));
      });
      await new Promise((resolve) => wss.once('listening', resolve));
      return (wss.address() as AddressInfo).port;
    }
    case 'rxjs-jsonrpc': {
      const server = await serveWebSocket(
        (connection) => connection.serve({ echo: (params) => params }),
        {
          heartbeatMs: 0,
        },
      );
      return server.port;
    }
    case 'rpc-websockets': {
      const server = new RpcWebSocketsServer({ host: '127.0.0.1', port: 0 });
      server.register('echo', (params) => params);
      await new Promise((resolve) => server.on('listening', resolve));
      return (server.wss.address() as AddressInfo).port;
    }
    case 'json-rpc-2.0': {
      const rpc = new JSONRPCServer();
      rpc.addMethod('echo', (params: unknown) => params);
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.on('connection', (socket) =>
        socket.on('message', (data) => {
          void rpc.receiveJSON((data as Buffer).toString()).then((response) => {
            if (response) socket.send(JSON.stringify(response));
          });
        }),
      );
      await new Promise((resolve) => wss.once('listening', resolve));
      return (wss.address() as AddressInfo).port;
    }
    default:
      throw new Error(`unknown server kind ${String(kind)}`);
  }
}

console.log(`PORT ${await start()}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
