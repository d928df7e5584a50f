/**
 * A consumer's view of the published package: `npm pack`, then the tarball installed in a
 * fresh project without @angular/core or @redis/client. The core entries import; the Angular
 * and Redis ones fail only for their missing optional peers. Runs on the built files (dist/).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('the packed package, installed without @angular/core nor @redis/client', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rxjs-jsonrpc-consumer-'));
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dir]);
    const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
    const project = join(dir, 'project');
    await run('mkdir', [project]);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: project,
    });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Imports `specifier` in a fresh Node process in the consumer project. */
  async function importIn(specifier: string): Promise<string> {
    const script = `import(${JSON.stringify(specifier)}).then((m) => console.log('ok', Object.keys(m).length), (e) => console.log('failed', e.code, e.message))`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(dir, 'project'),
    });
    return stdout.trim();
  }

  it('installs no @angular package', async () => {
    const modules = await readdir(join(dir, 'project', 'node_modules'));
    expect(modules).to.include('rxjs-jsonrpc');
    expect(modules).not.to.include('@angular');
    expect(modules).not.to.include('@redis');
  });

  for (const entry of ['rxjs-jsonrpc', 'rxjs-jsonrpc/node', 'rxjs-jsonrpc/browser']) {
    it(`imports ${entry}`, async () => {
      expect(await importIn(entry)).to.match(/^ok \d+$/);
    });
  }

  it('fails to import rxjs-jsonrpc/redis only for the missing @redis/client', async () => {
    const outcome = await importIn('rxjs-jsonrpc/redis');
    expect(outcome).to.match(/^failed ERR_MODULE_NOT_FOUND Cannot find package '@redis\/client'/);
  });

  it('fails to import rxjs-jsonrpc/angular only for the missing @angular/core', async () => {
    const outcome = await importIn('rxjs-jsonrpc/angular');
    expect(outcome).to.match(/^failed ERR_MODULE_NOT_FOUND Cannot find package '@angular\/core'/);
  });
});
