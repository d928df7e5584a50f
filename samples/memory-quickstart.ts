/**
 * The README's quick start: a server and a client over the in-memory transport pair.
 * Run it with `npm run sample:memory`.
 */
import { interval, map, take } from 'rxjs';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  JsonRpcError,
} from 'rxjs-jsonrpc';

interface Calculator {
  add(params: [number, number]): number;
  divide(params: { dividend: number; divisor: number }): number;
  ticks(params: [count: number]): number;
}

const [clientSide, serverSide] = createMemoryTransportPair();

const server = new JsonRpcConnection<object, Calculator>(serverSide, JsonRpcConnectionType.SERVER);
server.serve({
  add: ([a, b]) => a + b,
  divide: ({ dividend, divisor }) => {
    if (divisor === 0) throw new JsonRpcError(-32001, 'Division by zero', { dividend });
    return dividend / divisor;
  },
  // An Observable's first value is the answer.
  ticks: ([count]) =>
    interval(10).pipe(
      take(count),
      map((n) => n + 1),
    ),
});

const client = new JsonRpcConnection<Calculator>(clientSide, JsonRpcConnectionType.CLIENT);
console.log('add:', await client.request('add', [2, 3]));
console.log('ticks:', await client.request('ticks', [3], { timeout: 1_000 }));
try {
  await client.request('divide', { dividend: 1, divisor: 0 });
} catch (error) {
  if (error instanceof JsonRpcError) console.log('divide:', error.code, error.message, error.data);
}
await client.close();
