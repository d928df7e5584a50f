import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import sinon from 'sinon';
import { firstValueFrom } from 'rxjs';
import { RequestCancelledError, type JsonRpcConnection } from '../../../lib/index.js';
import { connectChildProcess } from '../../../lib/endpoints/byte-stream/child-process.js';
import type { FramingError } from '../../../lib/transports/framing/decoder.js';
import type { StreamFraming } from '../../../lib/transports/byte-stream/options.js';

const MCP_CANCELLATION = { method: 'notifications/cancelled', idField: 'requestId', answer: false };

describe('connectChildProcess()', function () {
  // Each test starts a Node process with tsx: allow for its start-up.
  this.timeout(15_000);

  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await once(child, 'close');
      }
    }
  });

  function start(args: string[], stdio: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
    const child = spawn(process.execPath, args, { stdio: [stdio, stdio, 'inherit'] });
    children.push(child);
    return child;
  }

  const sample = (framing: StreamFraming): ChildProcess =>
    start(['--import', 'tsx', 'samples/stdio-server.ts', '--framing', framing]);

  it('talks MCP-style to samples/stdio-server.ts with newline framing', async () => {
    const child = sample('newline');
    const server: JsonRpcConnection = connectChildProcess(child, {
      framing: 'newline',
      cancellation: MCP_CANCELLATION,
    });
    server.serve({ 'client/double': (params) => (params as number[])[0]! * 2 });
    const init = (await server.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'spec', version: '1' },
    })) as { serverInfo: { name: string } };
    expect(init.serverInfo.name).to.equal('rxjs-jsonrpc-stdio-sample');
    await server.notify('notifications/initialized');
    expect(await server.request('tools/list')).to.have.nested.property('tools[0].name', 'add');
    expect(
      await server.request('tools/call', { name: 'add', arguments: { numbers: [1, 2, 3] } }),
    ).to.deep.equal({ content: [{ type: 'text', text: '6' }] });
    expect(await server.request('askClient', [21])).to.deep.equal({ doubled: 42 });
    expect(await server.request('echo', { text: 'é😀' })).to.deep.equal({ text: 'é😀' });
    const controller = new AbortController();
    const slow = server.request('sleep', [10_000], { signal: controller.signal });
    controller.abort();
    expect(await slow.catch((e: unknown) => e)).to.be.instanceOf(RequestCancelledError);
    expect(await server.request('ping')).to.deep.equal({});
    await server.close();
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).to.equal(0);
  });

  it('talks LSP-style with Content-Length framing; closing ends stdin and the child exits', async () => {
    const child = sample('content-length');
    const before = child.listenerCount('error');
    const server = connectChildProcess(child, { framing: 'content-length' });
    expect(await server.request('initialize', { processId: process.pid })).to.have.property(
      'capabilities',
    );
    const controller = new AbortController();
    const slow = server.request('sleep', [10_000], { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await slow.catch((e: unknown) => e)).to.be.instanceOf(RequestCancelledError);
    expect(await server.request('shutdown')).to.equal(null);
    await server.close();
    const [code] = (await once(child, 'close')) as [number];
    expect(code).to.equal(0);
    expect(child.listenerCount('error')).to.equal(before);
  });

  it('the child exiting closes the connection', async () => {
    const child = sample('content-length');
    const server = connectChildProcess(child, { framing: 'content-length' });
    await server.request('initialize', {});
    await server.notify('exit');
    expect((await firstValueFrom(server.closed$)).reason).to.equal('remote');
  });

  it('a stray line on its stdout is a parse error, and the connection carries on', async () => {
    const script = `
      console.log('Starting…');
      const body = '{"jsonrpc":"2.0","method":"ready"}';
      process.stdout.write('Content-Length: ' + body.length + '\\r\\n\\r\\n' + body);
      process.stdin.resume();`;
    const child = start(['-e', script]);
    const onFramingError = sinon.spy();
    const server = connectChildProcess(child, { framing: 'content-length', onFramingError });
    const ready = await firstValueFrom(server.notifications$);
    expect(ready.method).to.equal('ready');
    expect((onFramingError.firstCall.args[0] as FramingError).message).to.equal(
      'Malformed header line: "Starting…"',
    );
    await server.close();
    await once(child, 'close');
  });

  it('a child that cannot start closes the connection with its error', async () => {
    const child = spawn('./no-such-language-server', [], { stdio: 'pipe' });
    const server = connectChildProcess(child, { framing: 'content-length' });
    const event = await firstValueFrom(server.closed$);
    expect(event.reason).to.equal('error');
    expect((event.error as { code: string }).code).to.equal('ENOENT');
    await once(child, 'close');
  });

  it('wants piped stdin and stdout, and valid options', async () => {
    const child = start(['-e', ''], 'ignore');
    expect(() => connectChildProcess(child, { framing: 'newline' })).to.throw(
      TypeError,
      "The child process must be spawned with stdin and stdout as 'pipe'",
    );
    expect(() => connectChildProcess(null as never, { framing: 'newline' })).to.throw(
      TypeError,
      'Expected a ChildProcess, got null',
    );
    await once(child, 'close');
  });
});
