/**
 * Interop over HTTP POST with clients we do not write: viem's `http` transport (batching
 * on), json-rpc-2.0's JSONRPCClient over `fetch`, and Express hosting createHttpHandler.
 * Pinned devDependencies.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import express from 'express';
import { JSONRPCClient, type JSONRPCRequest, type JSONRPCResponse } from 'json-rpc-2.0';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicClient, http as viemHttp } from 'viem';
import {
  createHttpHandler,
  InvalidParamsError,
  serveHttp,
  type HttpServerHandle,
  type JsonRpcHandlers,
} from '../../lib/node.js';

const ethereum: JsonRpcHandlers = {
  eth_chainId: () => '0x539',
  eth_blockNumber: () => '0x10',
  eth_getBalance: (params) => {
    const [address] = params as [string, string];
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new InvalidParamsError('Bad address');
    return '0xde0b6b3a7640000';
  },
};

describe('HTTP interop', () => {
  describe('viem http transport against serveHttp()', () => {
    let server: HttpServerHandle;
    before(async () => {
      server = await serveHttp((connection) => connection.serve(ethereum));
    });

    after(() => server.close());

    it('reads chain id, block number and a balance, batched into one POST', async () => {
      const posts: string[] = [];
      const client = createPublicClient({
        transport: viemHttp(server.url, {
          batch: true,
          retryCount: 0,
          onFetchRequest: async (request) => void posts.push(await request.clone().text()),
        }),
      });
      const [chainId, block, balance] = await Promise.all([
        client.getChainId(),
        client.getBlockNumber({ cacheTime: 0 }),
        client.getBalance({ address: '0x000000000000000000000000000000000000dEaD' }),
      ]);
      expect(chainId).to.equal(1337);
      expect(block).to.equal(16n);
      expect(balance).to.equal(10n ** 18n);
      expect(posts).to.have.length(1);
      const batch = JSON.parse(posts[0]!) as { method: string }[];
      expect(batch.map((call) => call.method).sort()).to.deep.equal([
        'eth_blockNumber',
        'eth_chainId',
        'eth_getBalance',
      ]);
    });

    it('gets our JSON-RPC errors as its own error classes', async () => {
      const client = createPublicClient({ transport: viemHttp(server.url, { retryCount: 0 }) });
      const error = await client
        .request({ method: 'eth_getBalance' as 'eth_chainId', params: ['nope', 'latest'] as never })
        .then(
          () => expect.fail('expected a rejection'),
          (thrown: unknown) => thrown,
        );
      expect(error).to.have.property('name', 'InvalidParamsRpcError');
      expect(String((error as Error).message)).to.match(/Bad address/);
    });
  });

  describe('json-rpc-2.0 JSONRPCClient over fetch against serveHttp()', () => {
    let server: HttpServerHandle;
    before(async () => {
      server = await serveHttp((connection) => connection.serve(ethereum));
    });
    after(() => server.close());

    function client(): JSONRPCClient {
      const rpc: JSONRPCClient = new JSONRPCClient(
        async (request: JSONRPCRequest | JSONRPCRequest[]) => {
          const response = await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(request),
          });
          if (response.status === 200) rpc.receive((await response.json()) as JSONRPCResponse);
          else if (response.status !== 204) throw new Error(response.statusText);
        },
      );
      return rpc;
    }

    it('requests, batches and notifies', async () => {
      const rpc = client();
      expect(await rpc.request('eth_chainId', undefined)).to.equal('0x539');
      const answers = await rpc.requestAdvanced([
        { jsonrpc: '2.0', method: 'eth_blockNumber', id: 1 },
        { jsonrpc: '2.0', method: 'eth_chainId', id: 2 },
      ]);
      expect(answers).to.have.deep.members([
        { jsonrpc: '2.0', id: 1, result: '0x10' },
        { jsonrpc: '2.0', id: 2, result: '0x539' },
      ]);
      rpc.notify('eth_chainId', undefined);
      await rpc.request('eth_getBalance', ['nope', 'latest']).then(
        () => expect.fail('expected a rejection'),
        (error: { code: number; message: string }) => {
          expect(error).to.include({ code: -32602, message: 'Bad address' });
        },
      );
    });
  });

  describe('Express hosting createHttpHandler()', () => {
    let server: Server;
    let base: string;
    before(async () => {
      const app = express();
      app.get('/health', (_request, response) => void response.send('ok'));
      app.use(
        '/rpc',
        createHttpHandler((connection) => connection.serve(ethereum)),
      );
      app.post(
        '/after-json',
        express.json(),
        createHttpHandler((connection) => connection.serve(ethereum)),
      );
      app.use((_request, response) => void response.status(418).send('teapot'));
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    async function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
      const response = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        json: response.status === 204 ? undefined : await response.json(),
      };
    }

    it('answers on its mount path, leaving the other routes to Express', async () => {
      expect(await post('/rpc', { jsonrpc: '2.0', method: 'eth_chainId', id: 1 })).to.deep.equal({
        status: 200,
        json: { jsonrpc: '2.0', id: 1, result: '0x539' },
      });
      expect(await post('/rpc', { jsonrpc: '2.0', method: 'eth_chainId' })).to.deep.equal({
        status: 204,
        json: undefined,
      });
      expect(await (await fetch(`${base}/health`)).text()).to.equal('ok');
      expect((await fetch(`${base}/elsewhere`, { method: 'POST' })).status).to.equal(418);
      expect((await fetch(`${base}/rpc`)).status).to.equal(405);
    });

    it('mounted after express.json(), takes the parsed body', async () => {
      expect(
        await post('/after-json', [{ jsonrpc: '2.0', method: 'eth_blockNumber', id: 'b' }]),
      ).to.deep.equal({
        status: 200,
        json: [{ jsonrpc: '2.0', id: 'b', result: '0x10' }],
      });
    });
  });
});
