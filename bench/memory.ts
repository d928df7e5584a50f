/**
 * In memory: this project's memory pair against json-rpc-2.0 in memory with JSON encoding,
 * at 64 and 10,000 calls in flight.
 */
import { JSONRPCServerAndClient, JSONRPCServer, JSONRPCClient } from 'json-rpc-2.0';
import { createMemoryTransportPair, JsonRpcConnection } from '../dist/index.js';
import { compare, type Call } from './harness.js';

const CALLS = 100_000;

async function ours(): Promise<{ call: Call; close: () => Promise<void> }> {
  const [a, b] = createMemoryTransportPair();
  const server = new JsonRpcConnection(b);
  server.serve({ echo: (params) => params });
  const client = new JsonRpcConnection(a);
  return { call: () => client.request('echo', ['hello']), close: () => client.close() };
}

/** json-rpc-2.0 with a JSON round trip on each side, delivered on a microtask like ours. */
async function peer(): Promise<{ call: Call; close: () => Promise<void> }> {
  const server = new JSONRPCServer();
  server.addMethod('echo', (params: unknown) => params);
  let toServer: (text: string) => void = () => undefined;
  const client = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => {
      const text = JSON.stringify(request);
      queueMicrotask(() => toServer(text));
    }),
  );
  toServer = (text) => {
    void server.receiveJSON(text).then((response) => {
      if (!response) return;
      const reply = JSON.stringify(response);
      queueMicrotask(() => void client.receiveAndSend(JSON.parse(reply)));
    });
  };
  return { call: () => client.request('echo', ['hello']), close: async () => undefined };
}

export const MEMORY_WINDOWS = [64, 10_000] as const;

/** Calls per second, results[name][window], the subjects' rounds interleaved. */
export async function benchMemory(): Promise<Record<string, Record<number, number>>> {
  const subjects = { 'rxjs-jsonrpc': await ours(), 'json-rpc-2.0': await peer() };
  const results: Record<string, Record<number, number>> = {
    'rxjs-jsonrpc': {},
    'json-rpc-2.0': {},
  };
  try {
    for (const window of MEMORY_WINDOWS) {
      const rates = await compare(
        Object.fromEntries(Object.entries(subjects).map(([name, subject]) => [name, subject.call])),
        { window, calls: CALLS },
      );
      for (const [name, rate] of Object.entries(rates)) results[name]![window] = rate;
    }
  } finally {
    for (const subject of Object.values(subjects)) await subject.close();
  }
  return results;
}
