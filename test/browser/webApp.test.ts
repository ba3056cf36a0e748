import { fileURLToPath } from 'node:url';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage, toBase64 } from '../helpers/images.js';
import { DESCRIBE } from '../helpers/operations.js';
import { openBrowser, saveScreenshot, type BrowserSession } from './browserHarness.js';
import { startWebApp, type WebApp } from './startWebApp.js';

const PHOTO = fileURLToPath(new URL('../fixtures/photo-board.jpg', import.meta.url));
const PROMPT = 'What is on this circuit board?';
const STOP_PROMPT = 'Name every part you can see, one by one, with what it is for.';

/** Records each text `#result-text` shows from now on, as the DOM changes (runs in the page). */
function recordResultTexts(): void {
  // Runs in the page (the Node typings here have no DOM).
  const g = globalThis as any;
  const seen: string[] = [];
  g.resultTexts = seen;
  g.resultObserver?.disconnect();
  g.resultObserver = new g.MutationObserver(() => {
    const text = g.document.getElementById('result-text')?.textContent ?? '';
    if (seen.at(-1) !== text) seen.push(text);
  });
  g.resultObserver.observe(g.document.getElementById('result'), {
    subtree: true,
    childList: true,
    characterData: true,
  });
}

/** The describe mutation over HTTP (the page's other requests, such as a history reload, may come first). */
const isDescribeRequest = (r: Request) =>
  r.url().endsWith('/graphql') && r.method() === 'POST' && (r.postData() ?? '').includes('mutation Describe');

function recordedResultTexts(): string[] {
  const g = globalThis as any;
  g.resultObserver.disconnect();
  return g.resultTexts;
}

describe('Web app: describe an image and find it in history', () => {
  let web: WebApp;
  let session: BrowserSession;

  beforeAll(async () => {
    // Paced deltas, as from a real model: the page must show text arriving in pieces.
    web = await startWebApp({ streamChunkDelayMs: 60 });
    // A ledger with a little history, written through the API as any client would.
    const earlier = [
      { colour: { r: 40, g: 90, b: 200 }, prompt: 'Which colour fills this image?', modelId: 'amazon.nova-lite-v1:0' },
      {
        colour: { r: 230, g: 160, b: 30 },
        prompt: 'Describe the colours.',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      },
    ];
    for (const { colour, prompt, modelId } of earlier) {
      const image = toBase64(await solidImage(96, 64, 'png', colour));
      await web.testApp.gql(DESCRIBE, { input: { image: { base64: image }, prompt, modelId } });
    }
    session = await openBrowser();
  });

  afterAll(async () => {
    await session?.close();
    await web?.stop();
  });

  it('opens at / with the history so far', async () => {
    const { page } = session;
    const response = await page.goto(`${web.origin}/`);
    expect(response?.status()).toBe(200);
    await page.locator('#history-rows tr[data-open]').nth(1).waitFor();
    expect(await page.locator('#history-count').textContent()).toBe('1–2 of 2');
  });

  it('streams the description of an uploaded photo, then shows tokens, cost and latency', async () => {
    const { page } = session;
    const { emulator } = web.testApp;
    emulator.resetCalls();
    const socket = page.waitForEvent('websocket');
    await page.locator('#file').setInputFiles(PHOTO);
    await page.locator('#preview-img').waitFor();
    await page.locator('#prompt').fill(PROMPT);
    expect(await page.locator('#stream').isChecked()).toBe(true);
    await page.evaluate(recordResultTexts);
    await page.locator('#describe').click();

    expect((await socket).url()).toBe(`${web.origin.replace(/^http/, 'ws')}/graphql`);
    await page.locator('#stop').waitFor();
    await page.locator('#result.succeeded').waitFor({ timeout: 20_000 });
    const final = (await page.locator('#result-text').textContent()) ?? '';
    expect(final).toContain('720×477 JPEG image');
    expect(final).toContain(PROMPT);
    // Pieces of the text were on the page before the whole of it.
    const texts = await page.evaluate(recordedResultTexts);
    const partial = texts.filter((text) => text !== '' && text.length < final.length);
    expect(new Set(partial.map((text) => text.length)).size, texts.join('\n')).toBeGreaterThanOrEqual(2);
    for (const text of partial) expect(final.startsWith(text), text).toBe(true);
    expect(texts.at(-1)).toBe(final);

    expect(await page.locator('#result .badge').textContent()).toBe('succeeded');
    expect(await page.locator('[data-stat="tokens"] dd').textContent()).toMatch(/^[\d,]+ in · [\d,]+ out$/);
    expect(await page.locator('[data-stat="cost"] dd').textContent()).toMatch(/^\$\d/);
    expect(await page.locator('[data-stat="latency"] dd').textContent()).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await page.locator('#stop').isHidden()).toBe(true);
    expect(emulator.calls.map((call) => call.operation)).toEqual(['ConverseStream']);

    // The ledger reloads with the new request on top.
    await page.locator('#history-count', { hasText: 'of 3' }).waitFor();
    expect(await page.locator('#history-rows tr').first().textContent()).toContain(PROMPT);
    await page.locator('#history-summary', { hasText: '3 requests' }).waitFor();
    await saveScreenshot(page, 'web-app', { fullPage: true });
  });

  it('finds the request in the history table by search and opens its full record with the image', async () => {
    const { page } = session;
    await page.locator('#search').fill('circuit board');
    await page.locator('#history-count', { hasText: '1–1 of 1' }).waitFor();
    const row = page.locator('#history-rows tr[data-open]');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain(PROMPT);

    await row.click();
    const dialog = page.locator('#record');
    await dialog.locator('.record-text').waitFor();
    expect(await dialog.locator('.record-text').textContent()).toContain('720×477 JPEG image');
    expect(await dialog.locator('.image-card figcaption').textContent()).toContain('720×477 image/jpeg');
    const thumbnail = dialog.locator('.image-card img');
    await thumbnail.waitFor();
    // Runs in the page (the Node typings here have no DOM).
    type Img = { complete: boolean; naturalWidth: number };
    await page.waitForFunction((img) => (img as unknown as Img).complete, await thumbnail.elementHandle());
    expect(await thumbnail.evaluate((img) => (img as unknown as Img).naturalWidth)).toBe(720);
    await saveScreenshot(page, 'web-app-record', { artifactOnly: true });
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(false);
  });

  it('describes without streaming, as a multipart upload, when "Stream the answer" is off', async () => {
    const { page } = session;
    const { emulator } = web.testApp;
    emulator.resetCalls();
    await page.locator('#search').fill('');
    await page.locator('#stream').uncheck();
    await page.locator('#prompt').fill('What is this, in one go?');
    const request = page.waitForRequest(isDescribeRequest);
    await page.locator('#describe').click();
    expect((await request).headers()['content-type']).toMatch(/^multipart\/form-data/);
    await page
      .locator('#result.succeeded #result-text', { hasText: 'You asked: "What is this, in one go?"' })
      .waitFor();
    expect(emulator.calls.map((call) => call.operation)).toEqual(['Converse']);
    await page.locator('#history-count', { hasText: 'of 4' }).waitFor();
    await page.locator('#stream').check();
  });

  it('stops a stream mid-way: the row is FAILED with code CANCELLED and the text so far, in history too', async () => {
    const { page } = session;
    const { emulator } = web.testApp;
    emulator.resetCalls();
    // This call only: slow enough deltas that Stop lands mid-stream.
    emulator.injectFault({ kind: 'slow', delayMs: 0, chunkDelayMs: 250 });
    await page.locator('#prompt').fill(STOP_PROMPT);
    await page.locator('#describe').click();
    await page.locator('#result.streaming #result-text').waitFor();
    await saveScreenshot(page, 'web-app-streaming', { artifactOnly: true });
    await page.locator('#stop').click();

    // The server's row replaces the page's own "stopped" note once it is written.
    await page.locator('#result .error-text', { hasText: 'CANCELLED: ' }).waitFor();
    expect(await page.locator('#result .badge').textContent()).toBe('failed');
    const kept = (await page.locator('#result-text').textContent()) ?? '';
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).not.toContain(STOP_PROMPT);
    expect(await page.locator('#stop').isHidden()).toBe(true);
    expect(await page.locator('#describe').isEnabled()).toBe(true);

    await page.locator('#history-count', { hasText: 'of 5' }).waitFor();
    const row = page.locator('#history-rows tr').first();
    expect(await row.locator('.badge').textContent()).toBe('failed');
    expect(await row.locator('.error-code').textContent()).toBe('CANCELLED');
    expect(await row.locator('td.description').textContent()).toContain(kept);
    await saveScreenshot(page, 'web-app-stopped', { artifactOnly: true, fullPage: true });
    await expect.poll(() => emulator.calls[0]?.cancelled).toBe(true);
  });

  it('filters by status and pages through the ledger', async () => {
    const { page } = session;
    await page.locator('#search').fill('');
    await page.locator('#status').selectOption('FAILED');
    await page.locator('#history-count', { hasText: '1–1 of 1' }).waitFor();
    expect(await page.locator('#history-rows tr').textContent()).toContain('CANCELLED');
    await page.locator('#status').selectOption('PENDING');
    await page.locator('#history-rows td.empty').waitFor();
    await page.locator('#status').selectOption('');
    await page.locator('#page-size').selectOption('10');
    await page.locator('#history-count', { hasText: '1–5 of 5' }).waitFor();
    expect(await page.locator('#next-page').isDisabled()).toBe(true);
  });

  it('refuses an image URL the server may not fetch, says why, and records nothing', async () => {
    const { page } = session;
    await page.locator('#clear-image').click();
    await page.locator('#image-url').fill('https://127.0.0.1/photo.jpg');
    await page.locator('#describe').click();
    await page.locator('#result.failed .result-head', { hasText: 'BAD_USER_INPUT · IMAGE_URL_FORBIDDEN' }).waitFor();
    expect((await web.testApp.gql('{ history { totalCount } }')).data).toEqual({ history: { totalCount: 5 } });
  });

  it('shows the code and message of a stream that breaks mid-way, after the text it sent', async () => {
    const { page } = session;
    const { emulator } = web.testApp;
    emulator.injectFault({ kind: 'mid-stream-error', afterChunks: 2, errorType: 'throttlingException' });
    await page.locator('#use-sample').click();
    await page.locator('#preview-name', { hasText: 'photo-board.jpg' }).waitFor();
    await page.locator('#prompt').fill('Describe it, please.');
    await page.locator('#describe').click();
    await page.locator('#result.failed .result-head', { hasText: 'UPSTREAM_THROTTLED' }).waitFor();
    expect(await page.locator('#result .result-head code').textContent()).toBe('UPSTREAM_THROTTLED');
    expect(await page.locator('#result .error-text').textContent()).not.toBe('');
    expect(await page.locator('#result-text').textContent()).toMatch(/^Image 1 is a 720×477 JPEG image/);
    // The row was written (FAILED, with that text): the error names it.
    await page.locator('#result [data-open]').click();
    await page.locator('#record .record-text').waitFor();
    expect(await page.locator('#record .record-text').textContent()).toBe(
      await page.locator('#result-text').textContent(),
    );
    await page.keyboard.press('Escape');
    await page.locator('#history-count', { hasText: 'of 6' }).waitFor();
  });

  it("sends the API key, when one is set, as a bearer token over HTTP and in the socket's connectionParams", async () => {
    const { page } = session;
    await page.locator('.key summary').click();
    await page.locator('#api-key').fill('test-key-123');
    const request = page.waitForRequest((r) => r.url().endsWith('/graphql') && r.method() === 'POST');
    await page.locator('#api-key').press('Enter');
    await page.locator('#api-key').blur();
    expect((await request).headers()['authorization']).toBe('Bearer test-key-123');
    const stored = await page.evaluate(() => (globalThis as any).localStorage.getItem('bedrock-vision.apiKey'));
    expect(stored).toBe('test-key-123');

    const init = new Promise<unknown>((resolve) => {
      page.once('websocket', (ws) =>
        ws.on('framesent', ({ payload }) => {
          const message = JSON.parse(String(payload));
          if (message.type === 'connection_init') resolve(message);
        }),
      );
    });
    await page.locator('#image-url').fill('https://127.0.0.1/photo.jpg');
    await page.locator('#describe').click();
    expect(await init).toEqual({ type: 'connection_init', payload: { Authorization: 'Bearer test-key-123' } });
    await page.locator('#result.failed .result-head', { hasText: 'BAD_USER_INPUT · IMAGE_URL_FORBIDDEN' }).waitFor();
  });

  it('falls back to a multipart upload when the WebSocket cannot open', async () => {
    const { page } = session;
    const { emulator } = web.testApp;
    emulator.resetCalls();
    // The socket "opens" and closes before the server could acknowledge it (no unroute: last page test).
    await page.routeWebSocket(/\/graphql$/, (ws) => ws.close({ code: 1011, reason: 'Refused in this test' }));
    await page.locator('#use-sample').click();
    await page.locator('#preview-name', { hasText: 'photo-board.jpg' }).waitFor();
    await page.locator('#prompt').fill('And without a socket?');
    const request = page.waitForRequest(isDescribeRequest);
    await page.locator('#describe').click();
    expect((await request).headers()['content-type']).toMatch(/^multipart\/form-data/);
    await page.locator('#result.succeeded #result-text', { hasText: 'You asked: "And without a socket?"' }).waitFor();
    expect(await page.locator('#describe-state').textContent()).toContain('The WebSocket did not open');
    expect(emulator.calls.map((call) => call.operation)).toEqual(['Converse']);
  });

  it('needed nothing beyond loopback and raised no errors', () => {
    expect(session.offLoopback).toEqual([]);
    expect(session.errors).toEqual([]);
    expect(session.httpErrors).toEqual([]);
  });
});
