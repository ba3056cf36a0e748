import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { COUNT, DESCRIBE, HISTORY } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

describe.each(DATABASES)('failures and refusals on %s', (kind) => {
  let t: TestApp;
  let png: string;
  beforeAll(async () => {
    // One attempt per call, so each injected fault is the final answer.
    t = await startTestApp(kind, { bedrock: { maxAttempts: 1, requestTimeoutMs: 1_000 } });
    png = toBase64(await solidImage(24, 24));
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.clearFaults();
    t.emulator.resetCalls();
  });

  async function rowCount(): Promise<number> {
    return expectData(await t.gql(COUNT)).history.totalCount;
  }

  /** Asserts the refusal: its code and reason, no model call, no new ledger row. */
  async function expectRefused(input: Record<string, unknown>, reason: string): Promise<void> {
    const before = await rowCount();
    const res = await t.gql(DESCRIBE, { input });
    expectErrorCode(res, 'BAD_USER_INPUT', reason);
    expect(t.emulator.calls).toHaveLength(0);
    expect(await rowCount()).toBe(before);
  }

  it('refuses invalid base64 without calling the model or writing a row', async () => {
    await expectRefused({ image: { base64: 'this is not base64!!' } }, 'IMAGE_BASE64_INVALID');
  });

  it('refuses a request with no image', async () => {
    await expectRefused({ prompt: 'What is this?' }, 'IMAGE_REQUIRED');
    await expectRefused({ images: [] }, 'IMAGE_REQUIRED');
  });

  it('refuses an empty image', async () => {
    await expectRefused({ image: { base64: '' } }, 'IMAGE_EMPTY');
  });

  it('refuses bytes that are not an image, whatever they claim to be', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expectRefused({ image: { base64: svg.toString('base64') } }, 'IMAGE_UNSUPPORTED');
    await expectRefused(
      { image: { base64: `data:image/png;base64,${Buffer.from('hello').toString('base64')}` } },
      'IMAGE_UNSUPPORTED',
    );
  });

  it('refuses a PNG whose header is truncated', async () => {
    const bytes = Buffer.from(png, 'base64').subarray(0, 20);
    await expectRefused({ image: { base64: bytes.toString('base64') } }, 'IMAGE_INVALID');
  });

  it('refuses more than 20 images', async () => {
    await expectRefused({ images: Array.from({ length: 21 }, () => ({ base64: png })) }, 'TOO_MANY_IMAGES');
  });

  it('refuses out-of-range parameters', async () => {
    const image = { base64: png };
    await expectRefused({ image, prompt: '   ' }, 'PROMPT_INVALID');
    await expectRefused({ image, maxTokens: 0 }, 'MAX_TOKENS_INVALID');
    await expectRefused({ image, maxTokens: 4097 }, 'MAX_TOKENS_INVALID');
    await expectRefused({ image, temperature: 1.5 }, 'TEMPERATURE_INVALID');
    await expectRefused({ image, topP: -0.1 }, 'TOP_P_INVALID');
    await expectRefused({ image, modelId: 'not a model' }, 'MODEL_ID_INVALID');
    await expectRefused({ image, images: [image] }, 'IMAGE_SOURCE_INVALID');
  });

  const upstream = [
    { fault: 'throttle', code: 'UPSTREAM_THROTTLED' },
    { fault: 'server-error', code: 'UPSTREAM_ERROR' },
    { fault: 'model-timeout', code: 'UPSTREAM_TIMEOUT' },
    { fault: 'validation', code: 'UPSTREAM_ERROR' },
    { fault: 'access-denied', code: 'UPSTREAM_MODEL_UNAVAILABLE' },
  ] as const;

  it.each(upstream)('records a $fault failure as a FAILED row with $code', async ({ fault, code }) => {
    t.emulator.injectFault({ kind: fault });
    const res = await t.gql(DESCRIBE, { input: { image: { base64: png } } });
    const extensions = expectErrorCode(res, code);
    expect(t.emulator.calls).toHaveLength(1);
    const row = expectData(
      await t.gql(
        `query($id: ID!) { description(id: $id) { status error { code message } completedAt usage { totalTokens } } }`,
        {
          id: extensions.descriptionId,
        },
      ),
    ).description;
    expect(row.status).toBe('FAILED');
    expect(row.error.code).toBe(code);
    expect(row.error.message).toBe(res.errors![0]!.message);
    expect(row.completedAt).not.toBeNull();
    expect(row.usage).toBeNull();
  });

  it('names current vision models when Bedrock says the model reached end of life', async () => {
    t.emulator.injectFault({ kind: 'end-of-life' });
    const res = await t.gql(DESCRIBE, { input: { image: { base64: png } } });
    expectErrorCode(res, 'UPSTREAM_MODEL_UNAVAILABLE');
    const message = res.errors![0]!.message;
    expect(message).toContain('anthropic.claude-3-sonnet-20240229-v1:0');
    expect(message).toContain('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(message).toContain('amazon.nova-pro-v1:0');
    expect(message).toMatch(/end of (its )?life/i);
  });

  it('turns a model slower than the request timeout into UPSTREAM_TIMEOUT', async () => {
    t.emulator.injectFault({ kind: 'slow', delayMs: 3_000 });
    const res = await t.gql(DESCRIBE, { input: { image: { base64: png } } });
    const extensions = expectErrorCode(res, 'UPSTREAM_TIMEOUT');
    const history = expectData(
      await t.gql(HISTORY, { filter: { status: ['FAILED'], errorCode: 'UPSTREAM_TIMEOUT' } }),
    ).history;
    expect(history.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(extensions.descriptionId);
  });

  it('finishes and records a call whose client hung up, and replays it to the retry without a second call', async () => {
    t.emulator.injectFault({ kind: 'slow', delayMs: 600 });
    const clientRequestId = `hung-up-${kind}`;
    const input = { image: { base64: png }, clientRequestId };
    const hangUp = new AbortController();
    const first = fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DESCRIBE, variables: { input } }),
      signal: hangUp.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    hangUp.abort();
    await expect(first).rejects.toThrow();
    // The model was already working (and billing): the server lets it finish and keeps the answer.
    let node: any;
    for (let i = 0; i < 100 && node?.status !== 'SUCCEEDED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      node = expectData(await t.gql(HISTORY, { filter: { clientRequestId } })).history.edges[0]?.node;
    }
    expect(node?.status).toBe('SUCCEEDED');
    const retry = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    expect(retry.id).toBe(node.id);
    expect(retry.text).toBe(node.text);
    expect(t.emulator.calls).toHaveLength(1);
  });

  it('leaves no request PENDING after any failure', async () => {
    const pending = expectData(await t.gql(HISTORY, { filter: { status: ['PENDING'] } })).history;
    expect(pending.totalCount).toBe(0);
    expect(await rowCount()).toBeGreaterThan(0);
  });
});
