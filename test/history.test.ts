import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { seedRow, type SeedRow } from './helpers/seedLedger.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

const PAGE = /* GraphQL */ `
  query Page($filter: HistoryFilter, $orderBy: HistoryOrder, $first: Int, $after: String, $last: Int, $before: String) {
    history(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      edges {
        cursor
        node {
          id
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

const MODELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'us.anthropic.claude-3-haiku-20240307-v1:0',
  'amazon.nova-lite-v1:0',
];
const SAME_INSTANT = new Date('2026-03-01T12:00:00.000Z');
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const sentImage = (r: SeedRow, sha256: string) => [r.imageSha256].flat().includes(sha256);

interface Row extends SeedRow {
  id: string;
}

/** 60 rows with every field varied, ties included: the oracle the API is checked against. */
function dataset(): SeedRow[] {
  const rows: SeedRow[] = [];
  for (let i = 0; i < 60; i++) {
    const base: SeedRow = {
      // Every fifth row shares one instant; the others are an hour apart.
      createdAt: i % 5 === 0 ? SAME_INSTANT : new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
      modelId: MODELS[i % 3],
      api: i % 4 === 0 ? 'INVOKE_MODEL' : 'CONVERSE',
      prompt: i % 7 === 0 ? 'Count the PALLETS' : 'What is in this image?',
      system: i % 11 === 0 ? 'You audit warehouses.' : undefined,
      text: i % 9 === 0 ? `A yellow forklift, number ${i}.` : `Picture ${i}.`,
      inputTokens: 100 + (i % 6) * 50,
      outputTokens: 10 + (i % 4) * 5,
      // Cost ties on purpose: only four distinct values.
      costUsd: ['0.001', '0.0025', '0.01', '0.000006'][i % 4],
      latencyMs: 100 + (i % 8) * 25,
      // A few rows send image c twice, with b between; b alone is in a fifth of the rest. Both
      // images' rows are spread over time, and some share SAME_INSTANT.
      imageSha256: i % 15 === 7 || i === 45 ? [C, B, C] : i % 10 === 0 || i % 10 === 3 ? B : 'a'.repeat(64),
      clientRequestId: i === 42 ? 'client-42' : undefined,
    };
    if (i % 13 === 0)
      rows.push({ ...base, fail: i % 2 === 0 ? 'UPSTREAM_THROTTLED' : 'UPSTREAM_TIMEOUT', costUsd: null });
    else rows.push(base);
  }
  return rows;
}

const isFailed = (r: Row) => r.fail !== undefined;
const tokens = (r: Row) => (isFailed(r) ? null : r.inputTokens! + r.outputTokens!);
const sortValue: Record<string, (r: Row) => number | null> = {
  CREATED_AT: (r) => r.createdAt.getTime(),
  COST: (r) => (isFailed(r) ? null : Number(r.costUsd)),
  TOTAL_TOKENS: tokens,
  LATENCY: (r) => r.latencyMs ?? null,
};

/** The order PostgreSQL gives: NULL largest, id breaking ties, both in the requested direction. */
function oracleOrder(rows: Row[], field: string, direction: 'ASC' | 'DESC'): string[] {
  const sign = direction === 'ASC' ? 1 : -1;
  const cmp = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);
  return [...rows]
    .sort(
      (a, b) => sign * (cmp(sortValue[field]!(a), sortValue[field]!(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    )
    .map((r) => r.id);
}

describe.each(DATABASES)('history at scale on %s', (kind) => {
  let t: TestApp;
  const rows: Row[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind);
    for (const row of dataset()) rows.push({ ...row, id: await seedRow(t.app.store.descriptions, row) });
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function pageForward(vars: Record<string, unknown>, size: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const h: any = expectData(await t.gql(PAGE, { ...vars, first: size, after })).history;
      ids.push(...h.edges.map((e: any) => e.node.id));
      expect(h.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!h.pageInfo.hasNextPage) return ids;
      after = h.pageInfo.endCursor;
    }
    throw new Error('paging did not end');
  }

  async function pageBackward(vars: Record<string, unknown>, size: number): Promise<string[]> {
    const ids: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const h: any = expectData(await t.gql(PAGE, { ...vars, last: size, before })).history;
      ids.unshift(...h.edges.map((e: any) => e.node.id));
      if (!h.pageInfo.hasPreviousPage) return ids;
      before = h.pageInfo.startCursor;
    }
    throw new Error('paging did not end');
  }

  const orders = ['CREATED_AT', 'COST', 'TOTAL_TOKENS', 'LATENCY'].flatMap((field) =>
    (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
  );

  it.each(orders)('pages by $field $direction forwards and backwards, ties broken by id', async (orderBy) => {
    const expected = oracleOrder(rows, orderBy.field, orderBy.direction);
    expect(await pageForward({ orderBy }, 7)).toEqual(expected);
    expect(await pageBackward({ orderBy }, 7)).toEqual(expected);
  });

  const filters: [string, Record<string, unknown>, (r: Row) => boolean][] = [
    ['status', { status: ['FAILED'] }, isFailed],
    [
      'model (a profile id matches its base model)',
      { modelId: ['anthropic.claude-3-haiku-20240307-v1:0'] },
      (r) => r.modelId!.endsWith('haiku-20240307-v1:0'),
    ],
    ['api', { api: ['INVOKE_MODEL'] }, (r) => r.api === 'INVOKE_MODEL'],
    [
      'time range',
      { createdAfter: '2026-01-01T05:00:00Z', createdBefore: '2026-01-02T00:00:00Z' },
      (r) => r.createdAt >= new Date('2026-01-01T05:00:00Z') && r.createdAt < new Date('2026-01-02T00:00:00Z'),
    ],
    ['search in the description', { search: 'FORKLIFT' }, (r) => /forklift/i.test(r.text ?? '') && !isFailed(r)],
    ['search in the prompt', { search: 'pallets' }, (r) => /pallets/i.test(r.prompt!)],
    ['search in the system prompt', { search: 'audit' }, (r) => /audit/i.test(r.system ?? '')],
    ['search treats % and _ literally', { search: '%' }, () => false],
    [
      'input tokens',
      { minInputTokens: 200, maxInputTokens: 300 },
      (r) => !isFailed(r) && r.inputTokens! >= 200 && r.inputTokens! <= 300,
    ],
    ['output tokens', { minOutputTokens: 20 }, (r) => !isFailed(r) && r.outputTokens! >= 20],
    ['total tokens', { maxTotalTokens: 150 }, (r) => tokens(r) !== null && tokens(r)! <= 150],
    [
      'cost',
      { minCostUsd: '0.0025', maxCostUsd: '0.01' },
      (r) => !isFailed(r) && Number(r.costUsd) >= 0.0025 && Number(r.costUsd) <= 0.01,
    ],
    ['latency', { minLatencyMs: 200 }, (r) => (r.latencyMs ?? 0) >= 200],
    ['error code', { errorCode: 'UPSTREAM_TIMEOUT' }, (r) => r.fail === 'UPSTREAM_TIMEOUT'],
    ['image', { imageSha256: B }, (r) => sentImage(r, B)],
    ['an image sent twice by some requests', { imageSha256: C }, (r) => sentImage(r, C)],
    ['client request id', { clientRequestId: 'client-42' }, (r) => r.clientRequestId === 'client-42'],
    [
      'several at once',
      { status: ['SUCCEEDED'], api: ['CONVERSE'], minLatencyMs: 150 },
      (r) => !isFailed(r) && r.api === 'CONVERSE' && r.latencyMs! >= 150,
    ],
  ];

  it.each(filters)('filters by %s', async (_name, filter, keep) => {
    const expected = oracleOrder(rows.filter(keep), 'CREATED_AT', 'DESC');
    expect(await pageForward({ filter }, 25)).toEqual(expected);
    const count = expectData(
      await t.gql(`query($f: HistoryFilter) { history(filter: $f) { totalCount } }`, { f: filter }),
    );
    expect(count.history.totalCount).toBe(expected.length);
  });

  it.each(['ASC', 'DESC'] as const)(
    "pages one image's requests by CREATED_AT %s forwards and backwards, each request once",
    async (direction) => {
      const orderBy = { field: 'CREATED_AT', direction };
      for (const [filter, keep] of [
        [{ imageSha256: C }, (r: Row) => sentImage(r, C)],
        [{ imageSha256: B, status: ['SUCCEEDED'] }, (r: Row) => sentImage(r, B) && !isFailed(r)],
        [
          { imageSha256: B, createdAfter: '2026-01-01T10:00:00Z', createdBefore: '2026-01-02T22:00:00Z' },
          (r: Row) =>
            sentImage(r, B) &&
            r.createdAt >= new Date('2026-01-01T10:00:00Z') &&
            r.createdAt < new Date('2026-01-02T22:00:00Z'),
        ],
      ] as const) {
        const expected = oracleOrder(rows.filter(keep), 'CREATED_AT', direction);
        expect(expected.length).toBeGreaterThan(3);
        expect(await pageForward({ filter, orderBy }, 2)).toEqual(expected);
        expect(await pageBackward({ filter, orderBy }, 2)).toEqual(expected);
      }
    },
  );

  it('refuses a cursor from another ordering and a cursor whose key was edited', async () => {
    const h = expectData(await t.gql(PAGE, { first: 2, orderBy: { field: 'COST', direction: 'DESC' } })).history;
    const cursor: string = h.pageInfo.endCursor;
    expectErrorCode(await t.gql(PAGE, { first: 2, after: cursor }), 'BAD_USER_INPUT', 'CURSOR_INVALID');
    const [body, signature] = cursor.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString());
    payload[1] = '999';
    const edited = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    expectErrorCode(
      await t.gql(PAGE, { first: 2, after: edited, orderBy: { field: 'COST', direction: 'DESC' } }),
      'BAD_USER_INPUT',
      'CURSOR_INVALID',
    );
    expectErrorCode(await t.gql(PAGE, { first: 2, after: 'garbage' }), 'BAD_USER_INPUT', 'CURSOR_INVALID');
  });

  it('clamps page sizes to 1..100 and refuses paging both ways at once', async () => {
    expect(expectData(await t.gql(PAGE, { first: 0 })).history.edges).toHaveLength(1);
    expect(expectData(await t.gql(PAGE, { first: 1000 })).history.edges).toHaveLength(rows.length);
    expect(expectData(await t.gql(PAGE, { last: -5 })).history.edges).toHaveLength(1);
    expectErrorCode(await t.gql(PAGE, { first: 2, last: 2 }), 'BAD_USER_INPUT', 'PAGINATION_INVALID');
  });

  it('refuses inverted ranges, negative numbers and over-long searches', async () => {
    for (const filter of [
      { createdAfter: '2026-05-01T00:00:00Z', createdBefore: '2026-04-01T00:00:00Z' },
      { minInputTokens: 10, maxInputTokens: 5 },
      { minLatencyMs: -1 },
      { maxCostUsd: '-0.5' },
      { search: 'x'.repeat(201) },
      { imageSha256: 'not-a-sha' },
    ]) {
      expectErrorCode(await t.gql(PAGE, { filter }), 'BAD_USER_INPUT', 'FILTER_INVALID');
    }
  });

  it('answers null for an unknown description id and refuses a malformed one', async () => {
    const q = `query($id: ID!) { description(id: $id) { id } }`;
    expect(expectData(await t.gql(q, { id: randomUUID() })).description).toBeNull();
    expectErrorCode(await t.gql(q, { id: 'nope' }), 'BAD_USER_INPUT', 'ID_INVALID');
  });
});
