/**
 * The Angular sample (samples/angular) in headless Chromium: the page shows the connection's
 * state, a server stream's values, the latest notification and a request's answer; the server
 * restarts on the same port and the page reconnects by itself, without a reload.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startAngularSample, type AngularSample } from '../../samples/angular/server.js';
import { openPage, type BrowserPage } from '../helpers/chromium.js';

/** Bounded waits: none longer than 10 s. */
const WAIT = { timeout: 10_000 };

/** The text of the element `#id`. */
function textOf(page: Page, id: string): Promise<string> {
  return page.evaluate((id) => document.getElementById(id)?.textContent?.trim() ?? '', id);
}

/** Waits until `#ticks` shows a number above `than`; returns it. */
async function tickAbove(page: Page, than: number): Promise<number> {
  await page.waitForFunction(
    (than) => Number(document.getElementById('ticks')?.textContent) > than,
    than,
    WAIT,
  );
  return Number(await textOf(page, 'ticks'));
}

/** Waits until `#state` says `state`. */
async function stateIs(page: Page, state: string): Promise<void> {
  await page.waitForFunction(
    (state) => document.getElementById('state')?.dataset['state'] === state,
    state,
    WAIT,
  );
}

describe('the Angular sample in Chromium', () => {
  let sample: AngularSample | undefined;
  let browser: BrowserPage | undefined;
  let page: Page;
  const pageErrors: Error[] = [];

  before(async () => {
    sample = await startAngularSample({ port: 0 });
    browser = await openPage();
    page = browser.page;
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(sample.url);
  });

  after(async () => {
    await browser?.close();
    await sample?.close();
  });

  it('shows stream values, the latest notification and an answer', async () => {
    await stateIs(page, 'open');
    const first = await tickAbove(page, 0);
    await tickAbove(page, first);
    await page.waitForFunction(
      () => /^Headline #\d+$/.test(document.getElementById('news')?.textContent?.trim() ?? ''),
      undefined,
      WAIT,
    );
    await page.click('#greet');
    await page.waitForFunction(
      () => document.getElementById('greeting')?.textContent?.trim() !== '',
      undefined,
      WAIT,
    );
    expect(await textOf(page, 'greeting')).to.equal('Hello, Angular!');
    expect(pageErrors).to.deep.equal([]);
  });

  it('reconnects when the server restarts on the same port, without a reload', async () => {
    // Survives only as long as this document does.
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    const { port } = sample!;
    await sample!.close();
    sample = undefined;
    await stateIs(page, 'reconnecting');
    // Nothing flows while the server is down: the last value stays on the page.
    const last = Number(await textOf(page, 'ticks'));

    sample = await startAngularSample({ port });
    await stateIs(page, 'open');
    // The new server's counter starts again: a value other than the last, then a larger one.
    await page.waitForFunction(
      (last) => Number(document.getElementById('ticks')?.textContent) !== last,
      last,
      WAIT,
    );
    const resumed = Number(await textOf(page, 'ticks'));
    expect(await tickAbove(page, resumed)).to.be.above(resumed);

    const kept = await page.evaluate(() => 'sameDocument' in globalThis);
    expect(kept, 'the page was not reloaded').to.equal(true);
    expect(pageErrors).to.deep.equal([]);
  });
});
