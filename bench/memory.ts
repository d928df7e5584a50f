/**
 * In memory: this project's memory pair against json-rpc-2.0 in memory with JSON encoding,
 * at 64 and 10,000 calls in flight.
 */
import { JSONRPCServerAndClient, JSONRPCServer, JSONRPCClient } from 'json-rpc-2.0';
import { createMemoryTransportPair, JsonRpcConnection } from '../lib/index.js';
import { format, measure, ratio, type Call } from './harness.js';

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

export async function benchMemory(): Promise<string[]> {
  const rows: string[] = [];
  const results: Record<string, number> = {};
  for (const [name, make] of [
    ['rxjs-jsonrpc', ours],
    ['json-rpc-2.0', peer],
  ] as const) {
    for (const window of [64, 10_000]) {
      const subject = await make();
      results[`${name}@${window}`] = await measure(subject.call, { window, calls: CALLS });
      await subject.close();
    }
  }
  const ours64 = results['rxjs-jsonrpc@64']!;
  const ours10k = results['rxjs-jsonrpc@10000']!;
  rows.push('| in memory | 64 in flight (calls/s) | 10,000 in flight (calls/s) | 10,000 ÷ 64 |');
  rows.push('|---|---:|---:|---:|');
  for (const name of ['rxjs-jsonrpc', 'json-rpc-2.0']) {
    const a = results[`${name}@64`]!;
    const b = results[`${name}@10000`]!;
    rows.push(`| ${name} | ${format(a)} | ${format(b)} | ${ratio(b, a)} |`);
  }
  rows.push('');
  rows.push(
    `rxjs-jsonrpc vs json-rpc-2.0: ${ratio(ours64, results['json-rpc-2.0@64']!)} at 64, ${ratio(ours10k, results['json-rpc-2.0@10000']!)} at 10,000.`,
  );
  return rows;
}
