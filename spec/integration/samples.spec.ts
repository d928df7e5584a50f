/**
 * The samples run as users run them: each in a Node process of its own, spoken to over its
 * real wire. Samples are what users copy, so a bad call must be answered, never crash them.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  InvalidParamsError,
  MethodNotFoundError,
  type JsonRpcConnection,
  type JsonRpcParams,
} from '../../lib/index.js';
import { connectChildProcess, connectWebSocket } from '../../lib/node.js';

/** A sample in a child process, its stderr (and stdout unless it is the wire) collected. */
class SampleProcess {
  static readonly started: SampleProcess[] = [];

  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has exited and its pipes are closed. */
  readonly closed: Promise<number | null>;

  /**
   * @param args - the sample's file and its arguments
   * @param options - `env` beside the parent's; `wire`: stdin and stdout are the caller's
   */
  constructor(args: string[], options: { env?: Record<string, string>; wire?: boolean } = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      env: { ...process.env, ...options.env },
      stdio: [options.wire ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.closed = new Promise((resolve) => this.child.once('close', resolve));
    if (!options.wire) {
      this.child.stdout!.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    }
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    SampleProcess.started.push(this);
  }

  /** Stops every sample still running (a test that failed midway leaves one behind). */
  static async stopAll(): Promise<void> {
    for (const sample of SampleProcess.started.splice(0)) {
      if (sample.alive) sample.child.kill('SIGTERM');
      await sample.closed;
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in stdout; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.stdout);
        if (match) {
          this.child.stdout!.off('data', check);
          this.child.off('close', ended);
          resolve(match);
        }
      };
      const ended = (): void => {
        this.child.stdout!.off('data', check);
        reject(new Error(`exited before printing ${String(pattern)}; stderr: ${this.stderr}`));
      };
      this.child.stdout!.on('data', check);
      this.child.once('close', ended);
      check();
    });
  }
}

interface Greeter {
  greet(params: [name: string]): { greeting: string };
}

describe('samples/greet-server.ts', function () {
  // A Node process with tsx takes a moment to start.
  this.timeout(15_000);

  const servers: SampleProcess[] = [];
  let server: SampleProcess;
  let url: string;
  let client: JsonRpcConnection<Greeter>;

  // One server for the suite; should a test kill it, the next test gets a new one (and the
  // last test sees that there were two).
  beforeEach(async () => {
    if (server?.alive && !client.closed) return;
    await client?.close();
    server = new SampleProcess(['samples/greet-server.ts'], { env: { PORT: '0' } });
    servers.push(server);
    [, url = ''] = await server.waitFor(/listening on (ws:\/\/127\.0\.0\.1:\d+\/)/);
    client = await connectWebSocket<Greeter>(url);
  });

  after(async () => {
    await client?.close();
    await SampleProcess.stopAll();
  });

  /** Sends greet with any params, past the typed method map. */
  function greetWith(params?: unknown): Promise<unknown> {
    const untyped = client as unknown as JsonRpcConnection;
    return untyped.request('greet', params as JsonRpcParams | undefined, { timeout: 2_000 });
  }

  it('answers greet', async () => {
    expect(await client.request('greet', ['Bob'])).to.deep.equal({ greeting: 'Hello, Bob!' });
  });

  const invalid: [string, unknown][] = [
    ['{}', {}],
    ['missing params', undefined],
    ['[42]', [42]],
    ['[]', []],
    ['[null]', [null]],
    ['{ name: null }', { name: null }],
    ['two names', ['Bob', 'Alice']],
  ];
  for (const [label, params] of invalid) {
    it(`answers greet with ${label} -32602 and keeps serving`, async () => {
      const error = await greetWith(params).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InvalidParamsError);
      expect(error).to.have.property('code', -32602);
      expect(server.alive).to.equal(true);
      expect(await client.request('greet', ['Bob'])).to.deep.equal({ greeting: 'Hello, Bob!' });
    });
  }

  it('survives a greet notification with bad params, which it does not answer', async () => {
    const untyped = client as unknown as JsonRpcConnection;
    await untyped.notify('greet', {});
    await untyped.notify('greet');
    expect(await client.request('greet', ['Alice'])).to.deep.equal({ greeting: 'Hello, Alice!' });
    expect(server.alive).to.equal(true);
  });

  it('answers another method -32601', async () => {
    const untyped = client as unknown as JsonRpcConnection;
    const error = await untyped.request('shout', ['Bob']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MethodNotFoundError);
  });

  it('serves samples/greet-client.ts, which prints both answers and exits 0', async () => {
    const greeter = new SampleProcess(['samples/greet-client.ts'], { env: { URL: url } });
    expect(await greeter.closed).to.equal(0);
    expect(greeter.stdout).to.equal('Hello, Bob!\nshout: -32601 Method not found\n');
    expect(greeter.stderr).to.equal('');
    await server.waitFor(/notification log \[ 'Bob was greeted' \]/);
  });

  it('ran in one process that wrote nothing to stderr, and exits 0 on SIGTERM', async () => {
    expect(servers.map((each) => each.stderr).join('')).to.equal('');
    expect(servers).to.have.length(1);
    server.child.kill('SIGTERM');
    expect(await server.closed).to.equal(0);
  });
});

describe('samples/memory-quickstart.ts', function () {
  this.timeout(15_000);
  after(() => SampleProcess.stopAll());

  it('prints its three answers and exits 0', async () => {
    const sample = new SampleProcess(['samples/memory-quickstart.ts']);
    expect(await sample.closed).to.equal(0);
    expect(sample.stdout).to.equal(
      'add: 5\nticks: 1\ndivide: -32001 Division by zero { dividend: 1 }\n',
    );
    expect(sample.stderr).to.equal('');
  });
});

describe('samples/metrics-stream.ts', function () {
  this.timeout(15_000);
  after(() => SampleProcess.stopAll());

  it('reads its stream across a server restart and exits 0', async () => {
    const sample = new SampleProcess(['samples/metrics-stream.ts']);
    expect(await sample.closed).to.equal(0);
    expect(sample.stdout.match(/^load: /gm)).to.have.length(6);
    expect(sample.stdout).to.include('[server restarted]');
    expect(sample.stderr).to.equal('');
  });
});

describe('samples/stdio-server.ts', function () {
  this.timeout(15_000);
  let server: JsonRpcConnection | undefined;
  after(async () => {
    await server?.close();
    await SampleProcess.stopAll();
  });

  it('answers params that do not fit -32602 and keeps serving', async () => {
    const sample = new SampleProcess(['samples/stdio-server.ts', '--framing', 'newline'], {
      wire: true,
    });
    const connection = connectChildProcess(sample.child, { framing: 'newline' });
    server = connection;

    const invalid: [string, JsonRpcParams | undefined][] = [
      ['add', {}],
      ['add', ['1', 2]],
      ['sleep', undefined],
      ['sleep', {}],
      ['sleep', [-1]],
      ['tools/call', undefined],
      ['tools/call', []],
      ['tools/call', { name: 'subtract' }],
      ['tools/call', { name: 'add' }],
      ['tools/call', { name: 'add', arguments: null }],
      ['tools/call', { name: 'add', arguments: { numbers: {} } }],
    ];
    const errors = await Promise.all(
      invalid.map(([method, params]) =>
        connection.request(method, params).catch((e: unknown) => e),
      ),
    );
    expect(errors.map((error) => (error as InvalidParamsError).code)).to.deep.equal(
      invalid.map(() => -32602),
    );
    expect(await connection.request('add', [1, 2])).to.equal(3);
    expect(await connection.request('sleep', [0])).to.equal(0);

    // Closing ends the server's stdin: it exits by itself.
    await connection.close();
    expect(await sample.closed).to.equal(0);
    expect(sample.stderr).to.equal('');
  });
});
