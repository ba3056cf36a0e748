import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey } from '../helpers/apiKeys.js';
import { DATABASES } from '../helpers/databases.js';
import { expectData, expectErrorCode, gql } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { freshDatabase, startTestApp, type TestApp } from '../helpers/startTestApp.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const DESCRIBE = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id } }';

describe.each(DATABASES)('requests per minute per key on %s, in process', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  }, 60_000);
  afterAll(() => t?.stop());

  it('refuses the request past the limit with RATE_LIMITED (429, Retry-After), no row and no model call', async () => {
    const key = await createTestKey(t.app.store, { rpm: 3 });
    const unlimited = await createTestKey(t.app.store);
    const image = toBase64(await solidImage(16, 16));
    for (let i = 0; i < 3; i++) {
      expectData(await gql(t.url, DESCRIBE, { input: { image: { base64: image } } }, key.auth));
    }
    t.emulator.resetCalls();
    const refused = await gql(t.url, DESCRIBE, { input: { image: { base64: image } } }, key.auth);
    expect(refused.status).toBe(429);
    const extensions = expectErrorCode(refused, 'RATE_LIMITED');
    expect(extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect(extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(t.emulator.calls).toHaveLength(0);
    const [usage] = await t.app.store.history.usageSummary({ apiKeyId: [key.record.id] }, [], 'UTC');
    expect(usage!.requests).toBe(3);
    // Reads count too, and other keys are not affected.
    expectErrorCode(await gql(t.url, '{ models { id } }', {}, key.auth), 'RATE_LIMITED');
    expectData(await gql(t.url, '{ models { id } }', {}, unlimited.auth));
  });
});

describe('requests per minute shared through Redis by two API instances on one PostgreSQL', () => {
  const apps: TestApp[] = [];
  beforeAll(async () => {
    const database = await freshDatabase('postgres');
    for (let i = 0; i < 2; i++) {
      apps.push(
        await startTestApp('postgres', { database, config: { auth: { keyCacheTtlMs: 0, redisUrl: REDIS_URL } } }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await apps[1]?.stop({ keepDatabase: true });
    await apps[0]?.stop();
  });

  it('counts a key’s requests on both instances against one limit', async () => {
    const key = await createTestKey(apps[0]!.app.store, { rpm: 4, name: `shared-${randomUUID()}` });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await gql(apps[i % 2]!.url, '{ models { id } }', {}, key.auth);
      statuses.push(res.status);
    }
    // Four in all, not four per instance.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
