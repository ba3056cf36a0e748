import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import sharp from 'sharp';

/** Debian's package: CI installs it with `apt-get install -y chromium`; nothing is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS_DIR = join(REPO, 'test-artifacts', 'browser');
export const SCREENSHOTS_DIR = join(REPO, 'docs', 'screenshots');
export const VIEWPORT = { width: 1280, height: 800 };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface HttpError {
  readonly status: number;
  readonly url: string;
  /** The request body (GraphQL operations are POSTed). */
  readonly body: string;
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request the page tried to send off the machine (all were refused). */
  readonly offLoopback: string[];
  /** Uncaught page errors and console errors (CSP violations land here too). */
  readonly errors: string[];
  /** Responses with a 4xx or 5xx status. */
  readonly httpErrors: HttpError[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with the network cut at the page: every request that is not to
 * loopback is aborted and recorded, so a test can assert the page needed nothing else.
 * `timezoneId` is the browser's time zone (an IANA name; default: the machine's).
 */
export async function openBrowser(options: { timezoneId?: string } = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM}: install Debian's package with ` +
        '`apt-get update && apt-get install -y chromium` (never `npx playwright install`).',
    );
  }
  // Playwright gives every launch a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
  });
  const offLoopback: string[] = [];
  const errors: string[] = [];
  const httpErrors: HttpError[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.has(url.hostname)) return route.continue();
    offLoopback.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx/5xx answer is also logged as "Failed to load resource"; httpErrors has the details.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const request = response.request();
    httpErrors.push({
      status: response.status(),
      url: response.url(),
      body: (request.postData() ?? '').slice(0, 10_000),
    });
  });
  page.on('websocket', (ws) => {
    if (!LOOPBACK.has(new URL(ws.url()).hostname)) offLoopback.push(ws.url());
  });
  return {
    browser,
    context,
    page,
    offLoopback,
    errors,
    httpErrors,
    close: () => browser.close(),
  };
}

/**
 * Saves a screenshot of the page (or of one element) as a test artifact and, with
 * UPDATE_SCREENSHOTS=1 and unless `artifactOnly`, a palette PNG copy in docs/screenshots for
 * the README (a fraction of the bytes). Gated so ordinary runs do not rewrite committed
 * pictures whose timestamps differ.
 */
export async function saveScreenshot(
  target: Page | Locator,
  name: string,
  options: { fullPage?: boolean; artifactOnly?: boolean } = {},
): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  const png =
    'goto' in target
      ? await target.screenshot({ path, fullPage: options.fullPage ?? false })
      : await target.screenshot({ path });
  if (options.artifactOnly || process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const small = await sharp(png).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toBuffer();
  writeFileSync(join(SCREENSHOTS_DIR, `${name}.png`), small);
}
