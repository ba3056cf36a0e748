import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidImage, toBase64 } from '../helpers/images.js';
import { DESCRIBE } from '../helpers/operations.js';
import { openBrowser, saveScreenshot, type BrowserSession } from './browserHarness.js';
import { startWebApp, type WebApp } from './startWebApp.js';

const PHOTO = fileURLToPath(new URL('../fixtures/photo-board.jpg', import.meta.url));
const PROMPT = 'What is on this circuit board?';

describe('Web app: describe an image and find it in history', () => {
  let web: WebApp;
  let session: BrowserSession;

  beforeAll(async () => {
    web = await startWebApp();
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

  it('describes an uploaded photo against the emulator and shows tokens, cost and latency', async () => {
    const { page } = session;
    await page.locator('#file').setInputFiles(PHOTO);
    await page.locator('#preview-img').waitFor();
    await page.locator('#prompt').fill(PROMPT);
    await page.locator('#describe').click();

    const text = page.locator('#result-text');
    await text.waitFor({ timeout: 20_000 });
    expect(await text.textContent()).toContain('720×477 JPEG image');
    expect(await text.textContent()).toContain(PROMPT);
    expect(await page.locator('#result .badge').textContent()).toBe('succeeded');
    expect(await page.locator('[data-stat="tokens"] dd').textContent()).toMatch(/^[\d,]+ in · [\d,]+ out$/);
    expect(await page.locator('[data-stat="cost"] dd').textContent()).toMatch(/^\$\d/);
    expect(await page.locator('[data-stat="latency"] dd').textContent()).toMatch(/^\d+(\.\d+)? m?s$/);

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

  it('filters by status and pages through the ledger', async () => {
    const { page } = session;
    await page.locator('#search').fill('');
    await page.locator('#status').selectOption('FAILED');
    await page.locator('#history-rows td.empty').waitFor();
    await page.locator('#status').selectOption('');
    await page.locator('#page-size').selectOption('10');
    await page.locator('#history-count', { hasText: '1–3 of 3' }).waitFor();
    expect(await page.locator('#next-page').isDisabled()).toBe(true);
  });

  it('refuses an image URL the server may not fetch, says why, and records nothing', async () => {
    const { page } = session;
    await page.locator('#clear-image').click();
    await page.locator('#image-url').fill('https://127.0.0.1/photo.jpg');
    await page.locator('#describe').click();
    await page.locator('#result.failed').waitFor();
    expect(await page.locator('#result .result-head').textContent()).toContain('BAD_USER_INPUT · IMAGE_URL_FORBIDDEN');
    expect((await web.testApp.gql('{ history { totalCount } }')).data).toEqual({ history: { totalCount: 3 } });
  });

  it('sends the API key, when one is set, as a bearer token', async () => {
    const { page } = session;
    await page.locator('.key summary').click();
    await page.locator('#api-key').fill('test-key-123');
    const request = page.waitForRequest((r) => r.url().endsWith('/graphql') && r.method() === 'POST');
    await page.locator('#api-key').press('Enter');
    await page.locator('#api-key').blur();
    expect((await request).headers()['authorization']).toBe('Bearer test-key-123');
    const stored = await page.evaluate(() => (globalThis as any).localStorage.getItem('bedrock-vision.apiKey'));
    expect(stored).toBe('test-key-123');
  });

  it('needed nothing beyond loopback and raised no errors', () => {
    expect(session.offLoopback).toEqual([]);
    expect(session.errors).toEqual([]);
    // Until the schema has `models`, the page's probe for it is refused and the model stays a text field.
    expect(session.httpErrors.filter((e) => !e.body.includes('query Models'))).toEqual([]);
  });
});
