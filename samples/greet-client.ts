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
try {
  const { greeting } = await connection.request('greet', ['Bob'], { timeout: 5_000 });
  console.log(greeting);
  await connection.notify('log', ['Bob was greeted']);
  try {
    await connection.request('shout', ['Bob'], { timeout: 5_000 });
  } catch (error) {
    // The server's error answer (it has no shout) is expected; a timeout or a lost connection
    // is not, and must not pass silently.
    if (!(error instanceof JsonRpcError)) throw error;
    console.log(`shout: ${error.code} ${error.message}`);
  }
} finally {
  await connection.close();
}
