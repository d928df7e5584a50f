/**
 * The README's quick start: a server and a client over the in-memory transport pair.
 * Run it with `npm run sample:memory`.
 */
import { interval, map, take } from 'rxjs';
import {
  createMemoryTransportPair,
  InvalidParamsError,
  JsonRpcConnection,
  JsonRpcConnectionType,
  JsonRpcError,
} from 'rxjs-jsonrpc';

interface Calculator {
  add(params: [number, number]): number;
  divide(params: { dividend: number; divisor: number }): number;
  ticks(params: [count: number]): number;
}

// The method map says what a well-behaved client sends; what arrives may be anything, so a
// handler checks each param it uses. InvalidParamsError is answered -32602.
function numberParam(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidParamsError(`${name} must be a number`);
  }
  return value;
}

const [clientSide, serverSide] = createMemoryTransportPair();

const server = new JsonRpcConnection<object, Calculator>(serverSide, JsonRpcConnectionType.SERVER);
server.serve({
  add: (params) => numberParam(params?.[0], 'a') + numberParam(params?.[1], 'b'),
  divide: (params) => {
    const dividend = numberParam(params?.dividend, 'dividend');
    const divisor = numberParam(params?.divisor, 'divisor');
    if (divisor === 0) throw new JsonRpcError(-32001, 'Division by zero', { dividend });
    return dividend / divisor;
  },
  // An Observable's first value is the answer.
  ticks: (params) =>
    interval(10).pipe(
      take(numberParam(params?.[0], 'count')),
      map((n) => n + 1),
    ),
});

const client = new JsonRpcConnection<Calculator>(clientSide, JsonRpcConnectionType.CLIENT);
console.log('add:', await client.request('add', [2, 3]));
console.log('ticks:', await client.request('ticks', [3], { timeout: 1_000 }));
try {
  await client.request('divide', { dividend: 1, divisor: 0 });
} catch (error) {
  // The server's error answer is expected; anything else (a closed connection) must not pass
  // silently.
  if (!(error instanceof JsonRpcError)) throw error;
  console.log('divide:', error.code, error.message, error.data);
}
await client.close();
