/**
 * A crowd of raw `ws` clients on 127.0.0.1, for the fan-out and idle-connection benchmarks.
 * Args: url, clients, messages each must receive (0: idle). Prints `READY` once all are
 * open, then `DONE <ms>` when every client has its messages (timed from the first one).
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url = '', clientsArg = '1', expectedArg = '0'] = process.argv.slice(2);
const clients = Number(clientsArg);
const expected = Number(expectedArg);
let complete = 0;
let firstAt = 0;

const sockets: WebSocket[] = [];
const received: number[] = [];
const opening: Promise<unknown>[] = [];
for (let i = 0; i < clients; i++) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  sockets.push(socket);
  received.push(0);
  socket.on('message', () => {
    if (firstAt === 0) firstAt = performance.now();
    if (++received[i]! === expected && ++complete === clients) {
      console.log(`DONE ${performance.now() - firstAt}`);
    }
  });
  socket.on('error', (error) => console.error(`client ${i}: ${error.message}`));
  opening.push(new Promise((resolve) => socket.once('open', resolve)));
  // Open in waves so the server's accept queue is not flooded.
  if (i % 500 === 499) await Promise.all(opening.slice(-500));
}
await Promise.all(opening);
console.log('READY');
/** `SUBSCRIBE <event>`: each client asks an rpc-websockets server for that event's notifications. */
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, event] = line.split(' ');
  if (command !== 'SUBSCRIBE') return;
  let answered = 0;
  for (const [i, socket] of sockets.entries()) {
    socket.once('message', () => {
      // The answer is not a notification: it neither counts nor starts the clock.
      received[i]!--;
      firstAt = 0;
      if (++answered === sockets.length) console.log('SUBSCRIBED');
    });
    socket.send(
      JSON.stringify({ jsonrpc: '2.0', id: 'subscribe', method: 'rpc.on', params: [event] }),
    );
  }
});
process.stdin.on('end', () => {
  sockets.forEach((socket) => socket.terminate());
  process.exit(0);
});
