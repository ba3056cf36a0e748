import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPEN_MODE_KEY_ID } from '../src/store/index.js';
import { createTestKey } from './helpers/apiKeys.js';
import { DATABASES } from './helpers/databases.js';
import { expectData, gql } from './helpers/graphqlClient.js';
import { fromAtto, toAtto } from './helpers/money.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { subscribe, wsClient } from './helpers/subscribe.js';

const FIELDS = `id status text costUsd cached cachedFromId savedUsd apiKeyId usage { totalTokens } attempts { outcome }`;
const DESCRIBE = `mutation($input: DescribeImageInput!) { describeImage(input: $input) { ${FIELDS} } }`;

describe.each(DATABASES)('Exact-request cache on %s', (kind) => {
  let t: TestApp;
  let png: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    png = toBase64(await solidImage(20, 20, 'png', { r: 0, g: 255, b: 0 }));
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  const describeImage = async (input: Record<string, unknown>, headers: Record<string, string> = {}) =>
    expectData(await gql(t.url, DESCRIBE, { input: { image: { base64: png }, ...input } }, headers)).describeImage;

  it('answers the same request again from the earlier answer, without calling the model, at no cost', async () => {
    const first = await describeImage({ prompt: 'cache me', cache: true });
    const second = await describeImage({ prompt: 'cache me', cache: true });

    expect(t.emulator.calls).toHaveLength(1);
    expect(first).toMatchObject({ cached: false, cachedFromId: null, savedUsd: null });
    expect(second).toMatchObject({
      status: 'SUCCEEDED',
      text: first.text,
      cached: true,
      cachedFromId: first.id,
      costUsd: '0',
      savedUsd: first.costUsd,
      usage: { totalTokens: 0 },
      attempts: [],
    });
    expect(second.id).not.toBe(first.id);
    // As history reads it back.
    const row = expectData(await t.gql(`query($id: ID!) { description(id: $id) { ${FIELDS} } }`, { id: second.id }));
    expect(row.description).toEqual(second);
  });

  it('answers a streamed request from the cache with its completed description alone', async () => {
    const first = await describeImage({ prompt: 'streamed from cache', cache: true });
    const client = wsClient(t.url);
    const events = await subscribe<Record<string, any>>(
      client,
      `subscription($input: DescribeImageInput!) {
        describeImageStream(input: $input) { delta description { id text cached cachedFromId costUsd } }
      }`,
      { input: { image: { base64: png }, prompt: 'streamed from cache', cache: true } },
    ).done;
    await client.dispose();

    expect(t.emulator.calls).toHaveLength(1);
    expect(events.map((e) => e.describeImageStream)).toEqual([
      {
        delta: null,
        description: { id: expect.any(String), text: first.text, cached: true, cachedFromId: first.id, costUsd: '0' },
      },
    ]);
  });

  it('calls the model when anything of the request differs, or when the request does not ask for the cache', async () => {
    await describeImage({ prompt: 'differs', cache: true });
    await describeImage({ prompt: 'differs', cache: true, maxTokens: 50 });
    await describeImage({ prompt: 'differs', cache: true, system: 'Be brief.' });
    await describeImage({ prompt: 'differs', cache: true, api: 'INVOKE_MODEL' });
    await describeImage({ prompt: 'differs', cache: true, image: { base64: toBase64(await solidImage(20, 20)) } });
    await describeImage({ prompt: 'differs' });
    await describeImage({ prompt: 'differs', cache: false });
    expect(t.emulator.calls).toHaveLength(7);
  });

  it('shows cached rows and the money they saved in history and usageSummary', async () => {
    const first = await describeImage({ prompt: 'summarised', cache: true });
    await describeImage({ prompt: 'summarised', cache: true });
    await describeImage({ prompt: 'summarised', cache: true });

    const cachedRows = expectData(
      await t.gql(`{ history(filter: { cached: true, search: "summarised" }) { totalCount } }`),
    ).history;
    expect(cachedRows.totalCount).toBe(2);
    const [bucket] = expectData(
      await t.gql(`{ usageSummary(filter: { search: "summarised" }) { requests cachedRequests savedUsd costUsd } }`),
    ).usageSummary;
    expect(bucket).toEqual({
      requests: 3,
      cachedRequests: 2,
      costUsd: first.costUsd,
      savedUsd: fromAtto(toAtto(first.costUsd) * 2n),
    });
  });

  it("never serves one API key another key's answer", async () => {
    const alice = await createTestKey(t.app.store, { name: 'alice' });
    const bob = await createTestKey(t.app.store, { name: 'bob' });
    const asAlice = await describeImage({ prompt: 'per key', cache: true }, alice.auth);
    const asBob = await describeImage({ prompt: 'per key', cache: true }, bob.auth);
    const aliceAgain = await describeImage({ prompt: 'per key', cache: true }, alice.auth);

    expect(t.emulator.calls).toHaveLength(2);
    expect(asBob).toMatchObject({ cached: false, apiKeyId: bob.record.id });
    expect(aliceAgain).toMatchObject({ cached: true, cachedFromId: asAlice.id, apiKeyId: alice.record.id });
    expect(asAlice.apiKeyId).not.toBe(OPEN_MODE_KEY_ID);
    await t.app.store.apiKeys.revoke(alice.record.id);
    await t.app.store.apiKeys.revoke(bob.record.id);
  });
});

describe('CACHE_DEFAULT and CACHE_TTL', () => {
  let t: TestApp;
  let png: string;
  beforeAll(async () => {
    t = await startTestApp('postgres', { config: { cache: { byDefault: true, ttlSeconds: 1 } } });
    png = toBase64(await solidImage(12, 12));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('uses the cache unless a request opts out, and never serves an answer older than the TTL', async () => {
    const input = { image: { base64: png }, prompt: 'default on' };
    const first = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    const second = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    const optedOut = expectData(await t.gql(DESCRIBE, { input: { ...input, cache: false } })).describeImage;
    expect(second).toMatchObject({ cached: true, cachedFromId: first.id });
    expect(optedOut.cached).toBe(false);
    expect(t.emulator.calls).toHaveLength(2);

    // Past the TTL of every answer so far: the model is called again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fresh = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    expect(fresh.cached).toBe(false);
    expect(t.emulator.calls).toHaveLength(3);
  });
});
