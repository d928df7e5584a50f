/**
 * Chromium for the browser specs: Debian's /usr/bin/chromium driven by playwright-core (never
 * a downloaded browser), and a page on 127.0.0.1 that can import the bundled browser entry.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The path the page imports the bundled `rxjs-jsonrpc/browser` from. */
export const BUNDLE_PATH = '/rxjs-jsonrpc.js';

export interface BrowserPage {
  readonly page: Page;
  /** The page's origin, `http://127.0.0.1:port`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves a blank page and the bundle on 127.0.0.1, and opens it in headless Chromium. */
export async function openPage(): Promise<BrowserPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (never a downloaded browser)`,
    );
  }
  const result = await build({
    entryPoints: ['lib/browser.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const http: Server = createServer((request, response) => {
    if (request.url === BUNDLE_PATH) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>t</title>');
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const opened = browser;
    return {
      page,
      origin,
      close: async () => {
        await opened.close();
        await new Promise((resolve) => http.close(resolve));
      },
    };
  } catch (error) {
    await browser?.close();
    await new Promise((resolve) => http.close(resolve));
    throw error;
  }
}
