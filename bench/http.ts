/**
 * JSON-RPC over HTTP POST: calls per second at 64 in flight, each server in a process of its
 * own on 127.0.0.1, every client on `fetch` with keep-alive (Node's own). A POST of the same
 * body answered with a fixed text by bare node:http is the limit of one call per POST.
 */
import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import { connectHttp } from '../dist/index.js';
import { Child } from './child.js';
import { compare, type Call } from './harness.js';

export const HTTP_WINDOW = 64;
export const HTTP_KINDS = [
  'raw node:http, one call per POST',
  'rxjs-jsonrpc, batched (default)',
  'rxjs-jsonrpc, one call per POST',
  'json-rpc-2.0, one call per POST',
  'json-rpc-2.0 + AbortSignal, one call per POST',
] as const;
export type HttpKind = (typeof HTTP_KINDS)[number];

interface Client {
  call: Call;
  close(): Promise<void> | void;
}

const HEADERS = { 'content-type': 'application/json' };

function rawClient(url: string): Client {
  let id = 0;
  return {
    call: async () => {
      const body = `{"jsonrpc":"2.0","id":${++id},"method":"echo","params":["hello"]}`;
      const response = await fetch(url, { method: 'POST', headers: HEADERS, body });
      return response.text();
    },
    close: () => undefined,
  };
}

/**
 * json-rpc-2.0's client over fetch; `abortable` gives each POST an AbortSignal, as a client
 * that can cancel a call on the wire must (ours does): the price of cancellation in fetch.
 */
function jsonRpc2Client(url: string, abortable: boolean): Client {
  const client: JSONRPCClient = new JSONRPCClient(async (request) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(request),
      signal: abortable ? new AbortController().signal : undefined,
    });
    if (response.status === 200) client.receive((await response.json()) as JSONRPCResponse);
  });
  return { call: () => client.request('echo', ['hello']), close: () => undefined };
}

function oursClient(url: string, batched: boolean): Client {
  const connection = connectHttp(url, batched ? {} : { batch: false });
  return { call: () => connection.request('echo', ['hello']), close: () => connection.close() };
}

/** Each subject: the server it calls (a kind of http-server.ts), and its client. */
const SUBJECTS: Record<HttpKind, [server: string, client: (url: string) => Client]> = {
  'raw node:http, one call per POST': ['raw', rawClient],
  'rxjs-jsonrpc, batched (default)': ['rxjs-jsonrpc', (url) => oursClient(url, true)],
  'rxjs-jsonrpc, one call per POST': ['rxjs-jsonrpc', (url) => oursClient(url, false)],
  'json-rpc-2.0, one call per POST': ['json-rpc-2.0', (url) => jsonRpc2Client(url, false)],
  'json-rpc-2.0 + AbortSignal, one call per POST': [
    'json-rpc-2.0',
    (url) => jsonRpc2Client(url, true),
  ],
};

/** Calls per second of each kind at {@link HTTP_WINDOW} in flight. */
export async function benchHttp(): Promise<Record<HttpKind, number>> {
  const kinds = ['raw', 'rxjs-jsonrpc', 'json-rpc-2.0'];
  const servers = kinds.map((kind) => Child.start('http-server.ts', [kind]));
  const clients: Partial<Record<HttpKind, Client>> = {};
  try {
    const urls: Record<string, string> = {};
    for (const [index, kind] of kinds.entries()) {
      urls[kind] = `http://127.0.0.1:${await servers[index]!.expect('PORT')}/`;
    }
    for (const kind of HTTP_KINDS) {
      const [server, make] = SUBJECTS[kind];
      clients[kind] = make(urls[server]!);
    }
    const calls = Object.fromEntries(HTTP_KINDS.map((kind) => [kind, clients[kind]!.call]));
    return await compare(calls, { window: HTTP_WINDOW, calls: 20_000 });
  } finally {
    for (const client of Object.values(clients)) await client.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
}
