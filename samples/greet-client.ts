/**
 * Connects to the greet server, greets, sends a notification, and prints the answers.
 *
 *   npm run sample:client            # ws://127.0.0.1:8080/
 *   URL=ws://127.0.0.1:9000/ npm run sample:client
 */
import { connectWebSocket, JsonRpcError } from 'rxjs-jsonrpc/node';

interface Greeter {
  greet(params: [name: string]): { greeting: string };
  shout(params: [name: string]): string;
  log(params: [message: string]): void;
}

const url = process.env.URL ?? 'ws://127.0.0.1:8080/';
const connection = await connectWebSocket<Greeter>(url);

const { greeting } = await connection.request('greet', ['Bob'], { timeout: 5_000 });
console.log(greeting);
await connection.notify('log', ['Bob was greeted']);
try {
  await connection.request('shout', ['Bob']);
} catch (error) {
  if (error instanceof JsonRpcError) console.log(`shout: ${error.code} ${error.message}`);
}
await connection.close();
