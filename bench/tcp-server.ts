/**
 * A TCP echo server of one kind on 127.0.0.1, for the byte-stream benchmark:
 *   raw | content-length | newline | vscode-jsonrpc
 * Prints `PORT <n>`, then serves until stdin closes.
 */
import { createServer, type Server } from 'node:net';
import * as rpc from 'vscode-jsonrpc/node';
import { serveTcp } from '../dist/node.js';

const kind = process.argv[2];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

async function start(): Promise<number> {
  switch (kind) {
    case 'raw':
      return listen(
        createServer({ noDelay: true }, (socket) =>
          socket.on('data', (chunk) => socket.write(chunk)),
        ),
      );
    case 'content-length':
    case 'newline': {
      const methods = { echo: (params: unknown) => params };
      const server = await serveTcp((connection) => void connection.serve(methods), {
        framing: kind,
      });
      return server.port;
    }
    case 'vscode-jsonrpc':
      return listen(
        createServer({ noDelay: true }, (socket) => {
          const connection = rpc.createMessageConnection(
            new rpc.SocketMessageReader(socket),
            new rpc.SocketMessageWriter(socket),
          );
          connection.onRequest('echo', (params: unknown) => params);
          connection.listen();
        }),
      );
    default:
      throw new Error(`unknown server kind ${String(kind)}`);
  }
}

console.log(`PORT ${await start()}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
