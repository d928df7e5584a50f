/**
 * trio-jsonrpc's greet server, in TypeScript and written the seed's way: iterate each
 * connection's requests, dispatch on the method, reply by hand.
 *
 *   npm start            # ws://127.0.0.1:8080/
 *   PORT=9000 npm start  # another port (PORT=0: any free one); the URL is printed
 */
import {
  InternalError,
  InvalidParamsError,
  JsonRpcError,
  MethodNotFoundError,
  serveWebSocket,
  type JsonRpcCall,
  type JsonRpcConnection,
} from 'rxjs-jsonrpc/node';

async function greet(name: string): Promise<{ greeting: string }> {
  return { greeting: `Hello, ${name}!` };
}

/** greet's params, `[name]`. They come from the peer and may be anything: check them. */
function greetParams(params: unknown): [name: string] {
  if (Array.isArray(params) && params.length === 1 && typeof params[0] === 'string') {
    return [params[0]];
  }
  throw new InvalidParamsError('greet takes [name: string]');
}

/** Answers one call; a notification of another method is only logged. */
async function answer(connection: JsonRpcConnection, request: JsonRpcCall): Promise<void> {
  try {
    if (request.method === 'greet') {
      const [name] = greetParams(request.params);
      await connection.replyWithResult(request, await greet(name));
    } else if (request.id === undefined) {
      console.log(`notification ${request.method}`, request.params ?? '');
    } else {
      await connection.replyWithError(request, new MethodNotFoundError());
    }
  } catch (error) {
    // A JsonRpcError is the answer (-32602 from greetParams); anything else is a bug of ours,
    // answered -32603 with nothing from inside. No answer goes to a notification.
    if (!(error instanceof JsonRpcError)) console.error('greet server:', error);
    await connection.replyWithError(
      request,
      error instanceof JsonRpcError ? error : new InternalError(),
    );
  }
}

function connectionHandler(connection: JsonRpcConnection): void {
  connection.requests$.subscribe((request) => {
    // No floating promise: a reply that could not be sent is reported, not left unhandled.
    answer(connection, request).catch((error: unknown) =>
      console.error('greet server: no answer sent:', error),
    );
  });
}

const port = Number(process.env.PORT ?? 8080);
const server = await serveWebSocket(connectionHandler, { host: '127.0.0.1', port });
console.log(`greet server listening on ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('greet server: close failed:', error);
        process.exit(1);
      },
    );
  });
}
