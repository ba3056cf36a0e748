import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { seedRow } from './helpers/seedLedger.js';
import { freshDatabase, startTestApp, type TestApp } from './helpers/startTestApp.js';

const SUMMARY = /* GraphQL */ `
  query Summary($filter: HistoryFilter, $groupBy: [UsageGroupBy!]!, $timeZone: String) {
    usageSummary(filter: $filter, groupBy: $groupBy, timeZone: $timeZone) {
      model
      day
      hour
      status
      api
      requests
      inputTokens
      outputTokens
      totalTokens
      costUsd
      latencyP50Ms
      latencyP95Ms
    }
  }
`;

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

describe.each(DATABASES)('usage summary on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    const repo = t.app.store.descriptions;
    // Berlin is UTC+1 in winter: 23:30 UTC on Jan 1 is already Jan 2 there.
    const rows = [
      {
        createdAt: new Date('2026-01-01T10:00:00Z'),
        modelId: 'amazon.nova-lite-v1:0',
        inputTokens: 1000,
        outputTokens: 100,
        costUsd: '0.000084',
        latencyMs: 100,
      },
      {
        createdAt: new Date('2026-01-01T23:30:00Z'),
        modelId: 'us.amazon.nova-lite-v1:0',
        inputTokens: 2000,
        outputTokens: 200,
        costUsd: '0.000168',
        latencyMs: 300,
      },
      {
        createdAt: new Date('2026-01-02T09:00:00Z'),
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        inputTokens: 1500,
        outputTokens: 300,
        costUsd: '0.00075',
        latencyMs: 200,
      },
      {
        createdAt: new Date('2026-01-02T09:30:00Z'),
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        fail: 'UPSTREAM_THROTTLED',
        latencyMs: 50,
      },
    ];
    for (const row of rows) await seedRow(repo, row);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sums requests, tokens and exact cost per model, counting profile ids with their model', async () => {
    const buckets = expectData(await t.gql(SUMMARY, { groupBy: ['MODEL'] })).usageSummary;
    expect(buckets).toEqual([
      {
        model: 'amazon.nova-lite-v1:0',
        day: null,
        hour: null,
        status: null,
        api: null,
        requests: 2,
        inputTokens: 3000,
        outputTokens: 300,
        totalTokens: 3300,
        costUsd: '0.000252',
        latencyP50Ms: percentile([100, 300], 0.5),
        latencyP95Ms: percentile([100, 300], 0.95),
      },
      {
        model: 'anthropic.claude-3-haiku-20240307-v1:0',
        day: null,
        hour: null,
        status: null,
        api: null,
        requests: 2,
        inputTokens: 1500,
        outputTokens: 300,
        totalTokens: 1800,
        costUsd: '0.00075',
        latencyP50Ms: percentile([200, 50], 0.5),
        latencyP95Ms: percentile([200, 50], 0.95),
      },
    ]);
  });

  it('cuts days in UTC by default and in the requested time zone', async () => {
    const utc = expectData(await t.gql(SUMMARY, { groupBy: ['DAY'] })).usageSummary;
    expect(utc.map((b: any) => [b.day, b.requests])).toEqual([
      ['2026-01-01T00:00:00.000Z', 2],
      ['2026-01-02T00:00:00.000Z', 2],
    ]);
    const berlin = expectData(await t.gql(SUMMARY, { groupBy: ['DAY'], timeZone: 'Europe/Berlin' })).usageSummary;
    expect(berlin.map((b: any) => [b.day, b.requests])).toEqual([
      ['2025-12-31T23:00:00.000Z', 1],
      ['2026-01-01T23:00:00.000Z', 3],
    ]);
    expectErrorCode(
      await t.gql(SUMMARY, { groupBy: ['DAY'], timeZone: 'Mars/Olympus' }),
      'BAD_USER_INPUT',
      'TIME_ZONE_INVALID',
    );
  });

  it('groups by status and api together, and honours the filter', async () => {
    const buckets = expectData(
      await t.gql(SUMMARY, { groupBy: ['STATUS', 'API'], filter: { createdAfter: '2026-01-02T00:00:00Z' } }),
    ).usageSummary;
    expect(buckets.map((b: any) => [b.status, b.api, b.requests, b.costUsd])).toEqual(
      [
        ['SUCCEEDED', 'CONVERSE', 1, '0.00075'],
        ['FAILED', 'CONVERSE', 1, '0'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const hours = expectData(
      await t.gql(SUMMARY, { groupBy: ['HOUR'], filter: { createdAfter: '2026-01-02T00:00:00Z' } }),
    ).usageSummary;
    expect(hours).toHaveLength(1);
    expect(hours[0].hour).toBe('2026-01-02T09:00:00.000Z');
    const total = expectData(await t.gql(SUMMARY, { groupBy: [] })).usageSummary;
    expect(total).toHaveLength(1);
    expect(total[0]).toMatchObject({ requests: 4, costUsd: '0.001002' });
  });
});

describe.each(DATABASES)('deleting history on %s', (kind) => {
  const storeDir = mkdtempSync(join(tmpdir(), 'bvg-housekeeping-'));
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { images: { store: { kind: 'file', dir: storeDir } } });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  const describeImage = async (png: Buffer) =>
    expectData(
      await t.gql(`mutation($i: DescribeImageInput!) { describeImage(input: $i) { id images { sha256 } } }`, {
        i: { image: { base64: toBase64(png) } },
      }),
    ).describeImage;
  const imageQuery = `query($s: String!) { image(sha256: $s) { sha256 bytesStored } }`;

  it('deletes a request, and its image with the stored bytes once no request uses it', async () => {
    const png = await solidImage(12, 12, 'png', { r: 9, g: 9, b: 9 });
    const first = await describeImage(png);
    const second = await describeImage(png);
    const sha256: string = first.images[0].sha256;
    const bytesPath = join(storeDir, sha256.slice(0, 2), sha256);
    const del = `mutation($id: ID!) { deleteDescription(id: $id) }`;

    expect(expectData(await t.gql(del, { id: first.id })).deleteDescription).toBe(true);
    expect(
      expectData(await t.gql(`query($id: ID!) { description(id: $id) { id } }`, { id: first.id })).description,
    ).toBeNull();
    expect(expectData(await t.gql(imageQuery, { s: sha256 })).image).toEqual({ sha256, bytesStored: true });

    expect(expectData(await t.gql(del, { id: second.id })).deleteDescription).toBe(true);
    expect(expectData(await t.gql(imageQuery, { s: sha256 })).image).toBeNull();
    expect(existsSync(bytesPath)).toBe(false);

    expect(expectData(await t.gql(del, { id: second.id })).deleteDescription).toBe(false);
    expectErrorCode(await t.gql(del, { id: 'x' }), 'BAD_USER_INPUT', 'ID_INVALID');
  });
});

describe('history retention', () => {
  it('purges finished requests older than HISTORY_RETENTION_DAYS on its schedule, with their unused images', async () => {
    const database = await freshDatabase('postgres');
    const day = 24 * 3_600_000;
    const first = await startTestApp('postgres', { database });
    const repo = first.app.store.descriptions;
    const old = await seedRow(repo, { createdAt: new Date(Date.now() - 40 * day), imageSha256: 'e'.repeat(64) });
    const oldFailed = await seedRow(repo, { createdAt: new Date(Date.now() - 31 * day), fail: 'UPSTREAM_ERROR' });
    const recent = await seedRow(repo, { createdAt: new Date(Date.now() - 29 * day) });
    await first.stop({ keepDatabase: true });

    // A server configured with retention purges at start and then on its interval.
    const second = await startTestApp('postgres', {
      database,
      config: { historyRetentionDays: 30, retentionIntervalMs: 1_000 },
    });
    try {
      const q = `query($ids: [ID!]!) { a: description(id: "${old}") { id } b: description(id: "${oldFailed}") { id } c: description(id: "${recent}") { id } image(sha256: "${'e'.repeat(64)}") { sha256 } }`;
      let data: any;
      for (let i = 0; i < 50; i++) {
        data = expectData(await second.gql(q.replace('($ids: [ID!]!)', '')));
        // The purge deletes the requests, then (a statement later) the images they leave unused.
        if (data.a === null && data.b === null && data.image === null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(data).toEqual({ a: null, b: null, c: { id: recent }, image: null });
    } finally {
      await second.stop();
    }
  });
});
