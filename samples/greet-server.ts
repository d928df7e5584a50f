/**
 * trio-jsonrpc's greet server, in TypeScript and written the seed's way: iterate each
 * connection's requests, dispatch on the method, reply by hand.
 *
 *   npm start            # ws://127.0.0.1:8080/
 *   PORT=9000 npm start  # another port
 */
import {
  MethodNotFoundError,
  serveWebSocket,
  type JsonRpcCall,
  type JsonRpcConnection,
} from 'rxjs-jsonrpc/node';

async function greet(name: string): Promise<{ greeting: string }> {
  return { greeting: `Hello, ${name}!` };
}

function connectionHandler(connection: JsonRpcConnection): void {
  connection.requests$.subscribe((request: JsonRpcCall) => {
    void (async () => {
      if (request.method === 'greet') {
        const result = await greet(...(request.params as [string]));
        await connection.replyWithResult(request, result);
      } else if (request.id === undefined) {
        console.log(`notification ${request.method}`, request.params ?? '');
      } else {
        await connection.replyWithError(request, new MethodNotFoundError());
      }
    })();
  });
}

const port = Number(process.env.PORT ?? 8080);
const server = await serveWebSocket(connectionHandler, { host: '127.0.0.1', port });
console.log(`greet server listening on ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
