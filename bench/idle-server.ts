/**
 * A WebSocket server of one kind on 127.0.0.1 for the idle-connection heap benchmark.
 * Prints `PORT <n>`; answers each `HEAP` line on stdin with `HEAP <bytes>` after a GC.
 */
import { createInterface } from 'node:readline';
import { IDLE_SERVERS } from './idle-servers.js';

const kind = process.argv[2] ?? '';
const start = IDLE_SERVERS[kind];
if (!start) throw new Error(`unknown server kind ${kind}`);
const server = await start();
console.log(`PORT ${server.port}`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'HEAP') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  console.log(`HEAP ${process.memoryUsage().heapUsed}`);
});
process.stdin.on('end', () => process.exit(0));
