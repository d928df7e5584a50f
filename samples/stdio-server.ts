/**
 * A JSON-RPC server on stdin/stdout, LSP-style (Content-Length framing) or MCP-style
 * (newline framing). Logs go to stderr: stdout is the wire.
 *
 *   node --import tsx samples/stdio-server.ts --framing content-length
 *   echo '{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}' | \
 *     node --import tsx samples/stdio-server.ts --framing newline
 *
 * It answers `initialize` (both protocols' shapes at once), `shutdown` and the `exit`
 * notification (LSP), `ping`, `tools/list` and `tools/call` (MCP), and `add`, `echo`,
 * `sleep` (cancellable: the client's cancel notification aborts it) and `askClient` (calls
 * the client back with `client/double`). It exits when stdin ends or on `exit`.
 */
import { parseArgs } from 'node:util';
import {
  InvalidParamsError,
  JsonRpcConnection,
  JsonRpcConnectionType,
  RequestCancelledError,
  StreamTransport,
} from 'rxjs-jsonrpc/node';

const { values } = parseArgs({
  options: { framing: { type: 'string', default: 'content-length' } },
});
const framing = values.framing;
if (framing !== 'content-length' && framing !== 'newline') {
  console.error(`--framing must be content-length or newline, got ${framing}`);
  process.exit(2);
}
const lsp = framing === 'content-length';

const transport = new StreamTransport(process.stdin, process.stdout, {
  framing,
  onFramingError: (error) => console.error('stdio-server: framing error:', error.message),
});
const connection = new JsonRpcConnection(transport, JsonRpcConnectionType.SERVER, {
  // LSP cancels with $/cancelRequest (the default); MCP with notifications/cancelled and
  // expects no answer to a cancelled request.
  cancellation: lsp
    ? undefined
    : { method: 'notifications/cancelled', idField: 'requestId', answer: false },
  onError: (error) => console.error('stdio-server:', error),
});

// Params come from the peer and may be anything: each handler checks what it uses, and
// answers InvalidParamsError (-32602) when it does not fit.

const sum = (params: unknown): number => {
  if (!Array.isArray(params) || !params.every((n) => typeof n === 'number')) {
    throw new InvalidParamsError('Expected an array of numbers');
  }
  return params.reduce((a: number, b: number) => a + b, 0);
};

const milliseconds = (params: unknown): number => {
  const ms: unknown = Array.isArray(params) ? params[0] : undefined;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 60_000) {
    throw new InvalidParamsError('Expected [ms], an integer from 0 to 60000');
  }
  return ms;
};

/** Resolves with `ms` after `ms` milliseconds, or rejects with RequestCancelledError on abort. */
const delay = (ms: number, signal: AbortSignal): Promise<number> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new RequestCancelledError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RequestCancelledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(ms);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

connection.serve({
  initialize: () => ({
    capabilities: lsp ? {} : { tools: {} },
    protocolVersion: '2025-06-18',
    serverInfo: { name: 'rxjs-jsonrpc-stdio-sample', version: '0.1.0' },
  }),
  initialized: () => undefined,
  'notifications/initialized': () => undefined,
  shutdown: () => null,
  exit: () => {
    connection.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stdio-server: close failed:', error);
        process.exit(1);
      },
    );
  },
  ping: () => ({}),
  'tools/list': () => ({
    tools: [
      {
        name: 'add',
        description: 'Adds numbers',
        inputSchema: { type: 'object', properties: { numbers: { type: 'array' } } },
      },
    ],
  }),
  'tools/call': (params) => {
    // Destructure only what is not null or undefined, into unknowns the checks narrow.
    const { name, arguments: args } = (params ?? {}) as { name?: unknown; arguments?: unknown };
    if (name !== 'add') throw new InvalidParamsError(`Unknown tool: ${String(name)}`);
    const { numbers } = (args ?? {}) as { numbers?: unknown };
    return { content: [{ type: 'text', text: String(sum(numbers)) }] };
  },
  add: (params) => sum(params),
  echo: (params) => params,
  sleep: (params, { signal }) => delay(milliseconds(params), signal),
  askClient: async (params, { connection: client }) => ({
    doubled: await client.request('client/double', params),
  }),
});

connection.closed$.subscribe(({ reason, error }) => {
  if (error) console.error(`stdio-server: closed (${reason}):`, error);
});
