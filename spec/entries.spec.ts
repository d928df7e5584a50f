/**
 * The package's entries: their exports are pinned, CommonJS can require them, and nothing
 * reachable from the main and browser entries needs Node.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import * as main from '../lib/index.js';
import * as nodeEntry from '../lib/node.js';
import * as browserEntry from '../lib/browser.js';
import * as angularEntry from '../lib/angular/index.js';
import * as redisEntry from '../lib/redis/index.js';

const run = promisify(execFile);

const MAIN_EXPORTS = [
  'JsonRpcStreamEvent',
  'streamEvent',
  'BatchBuilder',
  'ConnectionClosedError',
  'DEFAULT_CANCEL_METHOD',
  'DEFAULT_HTTP_BATCH_SIZE',
  'DEFAULT_MAX_RESPONSE_BYTES',
  'DEFAULT_MAX_BATCH_SIZE',
  'DEFAULT_MAX_EARLY_NOTIFICATIONS',
  'DEFAULT_MAX_INCOMING_REQUESTS',
  'DEFAULT_MAX_PENDING_REQUESTS',
  'DEFAULT_MAX_QUEUE',
  'DEFAULT_MAX_QUEUED_NOTIFICATIONS',
  'DEFAULT_MAX_SUBSCRIPTIONS',
  'DEFAULT_MAX_WAITING_CALLS',
  'DEFAULT_RECONNECT',
  'FINAL_CLOSE_CODES',
  'InternalError',
  'InvalidParamsError',
  'InvalidRequestError',
  'JsonRpcConnection',
  'JsonRpcConnectionType',
  'JsonRpcError',
  'JsonRpcErrorCode',
  'JsonRpcHttpError',
  'JsonRpcStream',
  'JsonRpcStreamErrorCode',
  'MethodNotFoundError',
  'ParseError',
  'ReconnectingTransport',
  'RequestCancelledError',
  'RequestTimeoutError',
  'TooManyPendingRequestsError',
  'connectHttp',
  'createMemoryTransportPair',
  'decodeFrame',
  'encodeCall',
  'encodeError',
  'encodeResult',
  'isJsonRpcCall',
  'isJsonRpcNotification',
  'isJsonRpcRequest',
  'isJsonRpcResponse',
  'joinBatch',
  'stream',
  'toFrame',
];

const NODE_EXPORTS = [
  'DEFAULT_HANDSHAKE_TIMEOUT_MS',
  'DEFAULT_HEARTBEAT_MS',
  'DEFAULT_FRAMES_PER_WRITE',
  'DEFAULT_HIGH_WATER_MARK',
  'DEFAULT_MAX_BUFFERED_BYTES',
  'DEFAULT_MAX_PAYLOAD',
  'SlowPeerError',
  'WebSocketConnectError',
  'WebSocketTransport',
  'connectWebSocket',
  'serveWebSocket',
  'createHttpHandler',
  'serveHttp',
  'DEFAULT_MAX_BODY_BYTES',
  'StreamTransport',
  'WriteBufferFullError',
  'DEFAULT_MAX_WRITE_BUFFER_BYTES',
  'connectTcp',
  'serveTcp',
  'connectChildProcess',
  'DEFAULT_MAX_MESSAGE_BYTES',
  'FramingError',
  'ContentLengthDecoder',
  'DEFAULT_MAX_HEADER_BYTES',
  'encodeContentLength',
  'encodeNewline',
  'NewlineDecoder',
];

const BROWSER_EXPORTS = [
  'BrowserWebSocketTransport',
  'WebSocketConnectError',
  'connectWebSocket',
  'reconnectingWebSocket',
];

describe('package entries', () => {
  it('the main entry exports exactly the documented names', () => {
    expect(Object.keys(main).sort()).to.deep.equal([...MAIN_EXPORTS].sort());
  });

  it('the node and browser entries export the main entry plus their own, exactly', () => {
    expect(Object.keys(nodeEntry).sort()).to.deep.equal([...MAIN_EXPORTS, ...NODE_EXPORTS].sort());
    expect(Object.keys(browserEntry).sort()).to.deep.equal(
      [...MAIN_EXPORTS, ...BROWSER_EXPORTS].sort(),
    );
  });

  it('the angular entry exports exactly its own names', () => {
    expect(Object.keys(angularEntry).sort()).to.deep.equal(
      [
        'JSON_RPC',
        'injectConnectionState',
        'injectJsonRpc',
        'injectNotification',
        'injectStream',
        'provideJsonRpc',
      ].sort(),
    );
  });

  it('the redis entry exports exactly its own names', () => {
    expect(Object.keys(redisEntry).sort()).to.deep.equal([
      'DEFAULT_REDIS_MAX_LEN',
      'DEFAULT_REDIS_PREFIX',
      'DEFAULT_REDIS_PUBLISH_TIMEOUT_MS',
      'RedisBroker',
      'createRedisBroker',
    ]);
  });

  it('the node and browser entries include the main entry', () => {
    for (const name of MAIN_EXPORTS) {
      expect(nodeEntry, name).to.have.property(name, (main as Record<string, unknown>)[name]);
      expect(browserEntry, name).to.have.property(name, (main as Record<string, unknown>)[name]);
    }
  });

  it('CommonJS code can require the built package', async () => {
    const script = `
      const m = require('rxjs-jsonrpc');
      const [a, b] = m.createMemoryTransportPair();
      const server = new m.JsonRpcConnection(b);
      server.serve({ ping: () => 'pong' });
      const client = new m.JsonRpcConnection(a);
      client.request('ping').then((r) => { console.log(r, typeof require('rxjs-jsonrpc/node').JsonRpcConnection); return client.close(); });
    `;
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 10_000 });
    expect(stdout.trim()).to.equal('pong function');
  });

  for (const entry of ['lib/index.ts', 'lib/browser.ts']) {
    it(`${entry} bundles for the browser with no Node built-in`, async function () {
      this.timeout(10_000);
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      const nodeOnly = inputs.filter((path) => /(^|\/)(ws|node:)|node_modules\/ws\//.test(path));
      expect(nodeOnly).to.deep.equal([]);
      expect(inputs.some((path) => path.includes('rxjs'))).to.equal(true);
    });
  }
});
