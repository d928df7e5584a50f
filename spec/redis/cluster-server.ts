/**
 * One server process of the scale-out spec: its own broker on the spec's Redis, serving the
 * `ticks` topic as a resumable stream over WebSocket on 127.0.0.1. Prints `port <n>` once it
 * listens; closes the WebSocket server, then the broker, on SIGTERM.
 *
 *   node --import tsx spec/redis/cluster-server.ts <socketPath> <streams|pubsub> <prefix> [port]
 */
import { serveWebSocket } from '../../lib/node.js';
import { createRedisBroker } from '../../lib/redis/index.js';

const [socketPath = '', mode = 'streams', prefix = 'cluster:', portArg = '0'] =
  process.argv.slice(2);
const broker = await createRedisBroker({
  socket: { path: socketPath },
  mode: mode === 'pubsub' ? 'pubsub' : 'streams',
  prefix,
});
const server = await serveWebSocket(
  (connection) => {
    connection.serve({ ticks: broker.stream(() => 'ticks') });
  },
  { host: '127.0.0.1', port: Number(portArg) },
);
console.log(`port ${server.port}`);

process.once('SIGTERM', () => {
  // Clients resume elsewhere (or here, once back); the broker closes last.
  server
    .close()
    .then(() => broker.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
});
