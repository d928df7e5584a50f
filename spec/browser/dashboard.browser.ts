/**
 * The dashboard sample (samples/dashboard) in headless Chromium, its server a child process
 * (`node --import tsx samples/dashboard/server.ts`): values flow and the chart moves; at a 1 ms
 * period the chart redraws at most once per frame over a bounded ring; the server restarts on
 * the same port and the page carries on without a reload; overtaken searches are cancelled on
 * the server and only the last query is answered. Writes docs/dashboard.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Dashboard } from '../../samples/dashboard/page.js';
import { openPage, type BrowserPage } from '../helpers/chromium.js';

type Scope = typeof globalThis & { dashboard: Dashboard; sameDocument?: true };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));
/** Bounded waits: none longer than 10 s. */
const WAIT = { timeout: 10_000 };

/** The sample's server, a child process. */
interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
}

/** Starts the server on `port` (0: a free one); resolves once it prints its URL. */
function startServer(port: number): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'samples/dashboard/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout }); // read to the end: never blocks
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
    };
    const fail = (why: string): void => {
      settle();
      child.kill('SIGKILL');
      reject(new Error(`samples/dashboard/server.ts ${why}; stderr: ${stderr}`));
    };
    const onLine = (line: string): void => {
      const match = /^dashboard on (http:\/\/127\.0\.0\.1:(\d+)\/)$/.exec(line);
      if (!match) return;
      settle();
      resolve({ child, url: match[1]!, port: Number(match[2]) });
    };
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`exited (${code ?? signal}) before listening`);
    const timer = setTimeout(() => fail('printed no "dashboard on …" line within 30 s'), 30_000);
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

/** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A JSON-RPC message, as seen on the page's WebSocket. */
interface Frame {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
}

function framesOf(payload: string | Buffer): Frame[] {
  const parsed = JSON.parse(String(payload)) as Frame | Frame[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** The page's live figures. */
function figures(page: Page): Promise<Omit<Dashboard, 'setPeriod'> & { at: number }> {
  return page.evaluate(() => {
    const { points, renders, state, lastValue, dropped, cancelled, capacity, buffered } = (
      globalThis as Scope
    ).dashboard;
    const at = performance.now();
    return { points, renders, state, lastValue, dropped, cancelled, capacity, buffered, at };
  });
}

/** Waits until `dashboard.points` is above `than`. */
async function pointsAbove(page: Page, than: number): Promise<void> {
  await page.waitForFunction((than) => (globalThis as Scope).dashboard.points > than, than, WAIT);
}

/** Waits until the connection is in `state`, and checks the badge says so. */
async function stateIs(page: Page, state: string): Promise<void> {
  await page.waitForFunction(
    (state) => (globalThis as Scope).dashboard?.state === state,
    state,
    WAIT,
  );
  await page.waitForFunction(
    (state) => document.getElementById('state')?.textContent === state,
    state,
    WAIT,
  );
}

/** The uPlot canvas, as a data URL. */
function chartPixels(page: Page): Promise<string> {
  return page.evaluate(() =>
    document.querySelector<HTMLCanvasElement>('#chart canvas')!.toDataURL(),
  );
}

describe('the dashboard sample in Chromium', function () {
  let server: Server | undefined;
  let browser: BrowserPage | undefined;
  let page: Page;
  const pageErrors: Error[] = [];
  const requested: string[] = [];
  /** Metrics (un)subscribes, searches and cancels the page sent; answers it received. */
  const wire = { sent: [] as Frame[], answers: [] as Frame[] };

  /** No page error so far, and nothing asked of a host but 127.0.0.1. */
  function expectClean(): void {
    expect(pageErrors.map(String)).to.deep.equal([]);
    const outside = requested.filter(
      (url) => !/^(data|blob):/.test(url) && new URL(url).hostname !== '127.0.0.1',
    );
    expect(outside, 'requests outside 127.0.0.1').to.deep.equal([]);
  }

  before(async function () {
    this.timeout(45_000); // the server may take up to 30 s to bundle and listen
    // Both at once; what started is closed in after() even if the other failed.
    const [started, opened] = await Promise.allSettled([startServer(0), openPage()]);
    if (started.status === 'fulfilled') server = started.value;
    if (opened.status === 'fulfilled') browser = opened.value;
    if (started.status === 'rejected') throw started.reason;
    if (opened.status === 'rejected') throw opened.reason;
    page = opened.value.page;
    page.setDefaultTimeout(WAIT.timeout);
    page.on('pageerror', (error) => pageErrors.push(error));
    page.on('request', (request) => requested.push(request.url()));
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        for (const frame of framesOf(payload)) {
          if (/^(search|\$\/cancelRequest|metrics_(un)?subscribe)$/.test(frame.method ?? '')) {
            wire.sent.push(frame);
          }
        }
      });
      socket.on('framereceived', ({ payload }) => {
        for (const frame of framesOf(payload)) {
          if (frame.method === undefined && frame.id !== undefined) wire.answers.push(frame);
        }
      });
    });
    await page.setViewportSize({ width: 1100, height: 780 });
    await page.goto(started.value.url);
  });

  after(async () => {
    await browser?.close();
    if (server) await stopServer(server);
  });

  it('shows values as they arrive, and the chart moves', async () => {
    await stateIs(page, 'open');
    await pointsAbove(page, 2);
    const before = await chartPixels(page);
    await delay(1_000);
    const after = await chartPixels(page);
    expect(after, 'the canvas changed in a second').to.not.equal(before);

    const now = await figures(page);
    expect(now.lastValue).to.have.all.keys(
      't',
      'cpu',
      'heapUsed',
      'rss',
      'eventLoopDelayMs',
      'callsPerSecond',
    );
    expect(now.buffered).to.equal(Math.min(now.points, now.capacity));
    expect(await page.textContent('#points')).to.match(/^\d+$/);
    expectClean();
  });

  it('redraws at most once per frame at a 1 ms period, over a bounded ring', async () => {
    const sentBefore = wire.sent.length;
    await page.evaluate(() => (globalThis as Scope).dashboard.setPeriod(1));
    expect(await page.inputValue('#period')).to.equal('1');
    // The fast stream is flowing: a burst of values.
    const flowing = (await figures(page)).points + 200;
    await pointsAbove(page, flowing);
    // switchMap: the 100 ms stream unsubscribed, the 1 ms one subscribed.
    const resubscribed = wire.sent
      .slice(sentBefore)
      .map(({ method, params }) => ({ method, params }));
    expect(resubscribed).to.deep.include({ method: 'metrics_subscribe', params: [1] });
    expect(resubscribed.map(({ method }) => method)).to.include('metrics_unsubscribe');

    const start = await figures(page);
    let end = start;
    while (end.at - start.at < 2_000) {
      await delay(100);
      end = await figures(page);
      expect(end.buffered).to.be.at.most(end.capacity);
    }
    const seconds = (end.at - start.at) / 1000;
    const redraws = end.renders - start.renders;
    const values = end.points - start.points;
    expect(redraws, 'redraws').to.be.above(0);
    expect(redraws / seconds, 'redraws per second').to.be.at.most(61);
    expect(values, 'values received').to.be.above(redraws);
    expect(end.buffered).to.equal(Math.min(end.points, end.capacity));

    // Back to 100 ms, through the same pipeline, for what follows.
    await page.evaluate(() => (globalThis as Scope).dashboard.setPeriod(100));
    expectClean();
  });

  it('reconnects when the server restarts on the same port, without a reload', async () => {
    await page.evaluate(() => ((globalThis as Scope).sameDocument = true));
    const { port } = server!;
    await stopServer(server!);
    server = undefined;
    await stateIs(page, 'reconnecting');
    const stalled = (await figures(page)).points;

    server = await startServer(port);
    expect(server.port).to.equal(port);
    await stateIs(page, 'open');
    await pointsAbove(page, stalled + 3);

    const kept = await page.evaluate(() => (globalThis as Scope).sameDocument === true);
    expect(kept, 'the page was not reloaded').to.equal(true);
    expectClean();
  });

  it('answers only the last query; the overtaken searches are cancelled on the server', async () => {
    // Each pause is longer than the 100 ms debounce (every query goes out) and shorter than
    // the backend's 400 ms minimum (no query is answered before the next one overtakes it).
    const box = page.locator('input[type="search"]');
    expect(await box.count(), 'one search box').to.equal(1);
    await box.focus();
    await page.keyboard.type('s');
    await delay(250);
    await page.keyboard.type('u');
    await delay(250);
    await page.keyboard.type('b');

    await page.waitForFunction(() => document.querySelector('.answer') !== null, undefined, WAIT);
    await delay(300); // room for a stray answer to show up
    const shown = await page.$$eval('.answer', (blocks) =>
      blocks.map((block) => (block as HTMLElement).dataset['query']),
    );
    expect(shown).to.deep.equal(['sub']);
    const results = await page.$$eval('.answer li', (items) => items.map((li) => li.textContent));
    expect(results).to.include('subscribe');
    expect((await figures(page)).cancelled).to.equal(2);
    expect(await page.textContent('#cancelled')).to.equal('2');

    // On the wire: three searches, the first two cancelled, one answer — the last query's.
    const searches = wire.sent.filter((frame) => frame.method === 'search');
    expect(searches.map((frame) => frame.params)).to.deep.equal([['s'], ['su'], ['sub']]);
    const cancels = wire.sent.filter((frame) => frame.method === '$/cancelRequest');
    expect(cancels.map((frame) => frame.params)).to.deep.equal(
      searches.slice(0, 2).map((frame) => ({ id: frame.id })),
    );
    const ids = searches.map((frame) => frame.id);
    const answered = wire.answers.filter((frame) => ids.includes(frame.id) && 'result' in frame);
    expect(answered.map((frame) => frame.id)).to.deep.equal([ids[2]]);
    expectClean();
  });

  it('writes docs/dashboard.png', async () => {
    await page.click('#work');
    await page.waitForFunction(
      () => document.getElementById('work-result')?.textContent === 'burned 500 ms',
      undefined,
      WAIT,
    );
    await delay(500); // the CPU spike on the chart
    rmSync(SCREENSHOT, { force: true });
    await page.screenshot({ path: SCREENSHOT });

    expect(existsSync(SCREENSHOT), 'docs/dashboard.png written').to.equal(true);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).to.equal('PNG');
    expect(png.readUInt32BE(16), 'width').to.be.at.least(800); // IHDR
    expectClean();
  });
});
