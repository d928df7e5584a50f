/**
 * One server process of the cluster sample: its own broker on the shared Redis, serving the
 * `ticks` topic as a resumable stream over WebSocket on 127.0.0.1 (any free port). Prints
 * `port <n>` once it listens. On SIGTERM, or when its parent closes its stdin, it shuts down
 * gracefully: the WebSocket server first (its clients resume on another process), the broker
 * after.
 *
 *   tsx samples/cluster/server.ts <redis socket path> [streams|pubsub]
 */
import { serveWebSocket } from 'rxjs-jsonrpc/node';
import { createRedisBroker } from 'rxjs-jsonrpc/redis';

const [socketPath, mode = 'streams'] = process.argv.slice(2);
if (!socketPath || (mode !== 'streams' && mode !== 'pubsub')) {
  console.error('usage: tsx samples/cluster/server.ts <redis socket path> [streams|pubsub]');
  process.exit(2);
}

const broker = await createRedisBroker({ socket: { path: socketPath }, mode });
const server = await serveWebSocket(
  (connection) => {
    // One Redis reader for `ticks` in this process, however many clients observe it.
    connection.serve({ ticks: broker.stream(() => 'ticks') });
  },
  { host: '127.0.0.1', port: 0 },
);
console.log(`port ${server.port}`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close(); // clients see 1001 (going away) and resume elsewhere
  await broker.close();
  process.exit(0);
}
const stop = (): void => {
  shutdown().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).resume();
