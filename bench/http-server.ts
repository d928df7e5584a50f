/**
 * An HTTP JSON-RPC echo server of one kind on 127.0.0.1, for the HTTP benchmark:
 *   raw | rxjs-jsonrpc | json-rpc-2.0
 * `raw` answers every POST with a fixed JSON-RPC answer after reading its body (no JSON at
 * all): the limit of node:http itself. Prints `PORT <n>`, then serves until stdin closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSONRPCServer } from 'json-rpc-2.0';
import { serveHttp } from '../dist/node.js';

const kind = process.argv[2];

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, text: string): void {
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<number> {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function start(): Promise<number> {
  switch (kind) {
    case 'raw':
      return listen((request, response) => {
        void readAll(request).then(() =>
          reply(response, '{"jsonrpc":"2.0","id":1,"result":["hello"]}'),
        );
      });
    case 'rxjs-jsonrpc': {
      const server = await serveHttp((connection) =>
        connection.serve({ echo: (params) => params }),
      );
      return server.port;
    }
    case 'json-rpc-2.0': {
      const rpc = new JSONRPCServer();
      rpc.addMethod('echo', (params: unknown) => params);
      return listen((request, response) => {
        void readAll(request)
          .then((body) => rpc.receiveJSON(body))
          .then((answer) => {
            if (answer === null) response.writeHead(204).end();
            else reply(response, JSON.stringify(answer));
          });
      });
    }
    default:
      throw new Error(`unknown server kind ${String(kind)}`);
  }
}

console.log(`PORT ${await start()}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
