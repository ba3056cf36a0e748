import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createTestKey, type TestKey } from '../helpers/apiKeys.js';
import { DATABASES } from '../helpers/databases.js';
import { expectData, gql, type GraphQLResponse } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { spawnServer, type ServerProcess } from '../helpers/spawnServer.js';
import { freshDatabase, startTestApp, type TestApp } from '../helpers/startTestApp.js';

/**
 * LiteLLM shipped budget bypasses under concurrency (#34732, #40095) and double-counted
 * reservations (#36926): fifty requests race for a budget that fits ten. The emulator
 * answers the racers after six seconds, so every reservation is taken before any is settled
 * (a settled row frees the difference between its estimate and its real cost), however
 * loaded the machine.
 */
const RACERS = 50;
const FITS = 10;
const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      estimatedCostUsd
      costUsd
    }
  }
`;

const stripZeros = (decimal: string) => (decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal);
/** n × a decimal string, exactly (12 decimals at most, as the columns keep). */
const times = (decimal: string, n: number, plus = 0n) => {
  const [whole = '0', fraction = ''] = decimal.split('.');
  const scaled = BigInt(whole + fraction.padEnd(12, '0')) * BigInt(n) + plus;
  const text = scaled.toString().padStart(13, '0');
  return stripZeros(`${text.slice(0, -12)}.${text.slice(-12)}`);
};

async function race(urls: string[], key: TestKey, image: string) {
  return Promise.all(
    Array.from({ length: RACERS }, (_, i) =>
      gql(urls[i % urls.length]!, DESCRIBE, { input: { image: { base64: image }, maxTokens: 200 } }, key.auth),
    ),
  );
}

/** Every request either succeeded or was refused BUDGET_EXCEEDED with a retry time; nothing else. */
function outcomes(responses: GraphQLResponse[]) {
  const succeeded = responses.filter((r) => r.errors === undefined);
  const refused = responses.filter((r) => r.errors?.[0]?.extensions?.code === 'BUDGET_EXCEEDED');
  expect(
    succeeded.length + refused.length,
    JSON.stringify(responses.find((r) => !succeeded.includes(r) && !refused.includes(r))),
  ).toBe(RACERS);
  for (const r of refused) expect(r.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
  return { succeeded: succeeded.length, refused };
}

async function probeEstimate(url: string, key: TestKey, image: string): Promise<string> {
  const row = expectData(await gql(url, DESCRIBE, { input: { image: { base64: image }, maxTokens: 200 } }, key.auth))
    .describeImage as { estimatedCostUsd: string };
  return row.estimatedCostUsd;
}

describe.each(DATABASES)('budgets on %s, one API process', (kind) => {
  let t: TestApp;
  let image: string;

  beforeAll(async () => {
    t = await startTestApp(kind, { bedrock: { requestTimeoutMs: 30_000 } });
    image = toBase64(await solidImage(200, 150));
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('lets at most 10 of 50 concurrent requests through a budget that fits 10, and spends exactly what the rows cost', async () => {
    const estimate = await probeEstimate(t.url, await createTestKey(t.app.store, { name: 'probe' }), image);
    // Room for ten reservations and half of an eleventh.
    const key = await createTestKey(t.app.store, { dailyUsd: times(estimate, 10, 1n) });
    t.emulator.resetCalls();
    t.emulator.injectFault({ kind: 'slow', delayMs: 6_000, times: RACERS });

    // Seconds until the next UTC day, as the racers will see it (they are refused at once).
    const tomorrow = Math.ceil(
      (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) /
        1000,
    );
    const { succeeded, refused } = outcomes(await race([t.url], key, image));
    t.emulator.clearFaults();
    expect(succeeded).toBe(FITS);
    expect(refused).toHaveLength(RACERS - FITS);
    // A key with only a daily budget is told so, and to come back tomorrow, not next month: racers that
    // read the spend before the winners committed must not fall through to the monthly reason.
    for (const r of refused) {
      expect(r.errors![0]!.message).toContain('daily budget');
      expect(r.errors![0]!.extensions!.retryAfterSeconds).toBeLessThanOrEqual(tomorrow + 5);
    }
    // Refusals wrote no row and made no model call.
    expect(t.emulator.calls).toHaveLength(FITS);
    const [usage] = await t.app.store.history.usageSummary({ apiKeyId: [key.record.id] }, [], 'UTC');
    expect(usage!.requests).toBe(FITS);
    const [after] = (await t.app.store.apiKeys.list()).filter((k) => k.id === key.record.id);
    expect(stripZeros(after!.spentTodayUsd)).toBe(stripZeros(usage!.costUsd));
    expect(stripZeros(after!.spentThisMonthUsd)).toBe(stripZeros(usage!.costUsd));
  }, 120_000);

  it('releases the reservation of a failed call, so a failure costs the budget nothing', async () => {
    const estimate = await probeEstimate(t.url, await createTestKey(t.app.store, { name: 'probe' }), image);
    const key = await createTestKey(t.app.store, { monthlyUsd: times(estimate, 1) });
    t.emulator.injectFault({ kind: 'throttle', times: Infinity });
    const failed = await gql(t.url, DESCRIBE, { input: { image: { base64: image }, maxTokens: 200 } }, key.auth);
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_THROTTLED');
    t.emulator.clearFaults();
    const [afterFailure] = (await t.app.store.apiKeys.list()).filter((k) => k.id === key.record.id);
    expect(stripZeros(afterFailure!.spentThisMonthUsd)).toBe('0');
    // The whole budget is there again for the next request.
    expectData(await gql(t.url, DESCRIBE, { input: { image: { base64: image }, maxTokens: 200 } }, key.auth));
  }, 60_000);
});

describe('budgets on postgres, two API processes', () => {
  let emulator: Emulator;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let setup: TestApp;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    database = await freshDatabase('postgres');
    // An in-process app on the same database, to migrate it and make the keys.
    setup = await startTestApp('postgres', { database, emulator });
  }, 120_000);
  afterAll(async () => {
    for (const server of servers) server.kill();
    await setup?.stop();
    await emulator?.close();
  });

  it('lets at most 10 of 50 requests spread over both through a budget that fits 10', async () => {
    const image = toBase64(await solidImage(200, 150));
    const estimate = await probeEstimate(setup.url, await createTestKey(setup.app.store, { name: 'probe' }), image);
    const key = await createTestKey(setup.app.store, { dailyUsd: times(estimate, 10, 1n) });
    if (database.config.kind !== 'postgres') throw new Error('unreachable');
    for (let i = 0; i < 2; i++) {
      servers.push(spawnServer({ DATABASE_URL: database.config.url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url }));
    }
    const urls = (await Promise.all(servers.map((s) => s.ready()))).map((origin) => `${origin}/graphql`);
    emulator.resetCalls();
    emulator.injectFault({ kind: 'slow', delayMs: 6_000, times: RACERS });

    const { succeeded } = outcomes(await race(urls, key, image));
    expect(succeeded).toBe(FITS);
    expect(emulator.calls).toHaveLength(FITS);
    const [usage] = await setup.app.store.history.usageSummary({ apiKeyId: [key.record.id] }, [], 'UTC');
    expect(usage!.requests).toBe(FITS);
    const [after] = (await setup.app.store.apiKeys.list()).filter((k) => k.id === key.record.id);
    expect(stripZeros(after!.spentTodayUsd)).toBe(stripZeros(usage!.costUsd));
  }, 180_000);
});
