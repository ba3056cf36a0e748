import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DescriptionRepository } from '../src/store/index.js';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { HISTORY } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

const IMAGE = {
  sha256: 'a'.repeat(64),
  mediaType: 'image/png',
  byteSize: 10,
  width: 1,
  height: 1,
  source: 'BASE64' as const,
  original: { format: 'png', width: 1, height: 1, byteSize: 10 },
};
const OTHER_IMAGE = { ...IMAGE, sha256: 'b'.repeat(64) };
const SAME_INSTANT = new Date('2026-03-01T12:00:00.000Z');

/** Writes a finished ledger row straight through the repository, as describeImage would. */
async function seed(
  repo: DescriptionRepository,
  row: { createdAt: Date; modelId?: string; prompt?: string; text?: string; fail?: string; image?: typeof IMAGE },
): Promise<string> {
  const id = randomUUID();
  await repo.createPending({
    id,
    modelId: row.modelId ?? 'anthropic.claude-3-haiku-20240307-v1:0',
    api: 'CONVERSE',
    prompt: row.prompt ?? 'What is in this image?',
    system: undefined,
    maxTokens: 100,
    temperature: undefined,
    topP: undefined,
    clientRequestId: undefined,
    requestHash: id,
    images: [row.image ?? IMAGE],
    createdAt: row.createdAt,
  });
  if (row.fail !== undefined) {
    await repo.fail(id, { code: row.fail, message: 'failed', latencyMs: 5, bedrockRequestId: undefined });
  } else {
    await repo.succeed(id, {
      text: row.text ?? 'A picture.',
      stopReason: 'end_turn',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      costUsd: '0.0001',
      latencyMs: 12,
      modelLatencyMs: 10,
      bedrockRequestId: undefined,
    });
  }
  return id;
}

type Edge = { cursor: string; node: { id: string; createdAt: string } };

describe.each(DATABASES)('history on %s', (kind) => {
  let t: TestApp;
  const ids = { tied: [] as string[], forklift: '', failed: '', nova: '', early: '', otherImage: '' };

  beforeAll(async () => {
    t = await startTestApp(kind);
    const repo = t.app.store.descriptions;
    // 25 rows in the same millisecond: paging must order them by id, without gaps or repeats.
    for (let i = 0; i < 25; i++) ids.tied.push(await seed(repo, { createdAt: SAME_INSTANT }));
    ids.early = await seed(repo, { createdAt: new Date('2026-01-15T00:00:00Z') });
    ids.forklift = await seed(repo, {
      createdAt: new Date('2026-04-01T00:00:00Z'),
      text: 'A yellow FORKLIFT in a warehouse.',
    });
    ids.failed = await seed(repo, { createdAt: new Date('2026-04-02T00:00:00Z'), fail: 'UPSTREAM_THROTTLED' });
    ids.nova = await seed(repo, {
      createdAt: new Date('2026-04-03T00:00:00Z'),
      modelId: 'amazon.nova-lite-v1:0',
      prompt: 'Count the pallets',
    });
    ids.otherImage = await seed(repo, { createdAt: new Date('2026-04-04T00:00:00Z'), image: OTHER_IMAGE });
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function pageAll(first: number, filter?: Record<string, unknown>): Promise<Edge[]> {
    const seen: Edge[] = [];
    let after: string | null = null;
    for (;;) {
      const h: any = expectData(await t.gql(HISTORY, { first, after, filter })).history;
      seen.push(...h.edges);
      expect(h.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!h.pageInfo.hasNextPage) return seen;
      after = h.pageInfo.endCursor;
    }
  }

  it('pages newest first through every row exactly once, including rows with equal timestamps', async () => {
    const edges = await pageAll(4);
    const all = edges.map((e) => e.node.id);
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    expect(all.slice(0, 4)).toEqual([ids.otherImage, ids.nova, ids.failed, ids.forklift]);
    expect(all.at(-1)).toBe(ids.early);
    const tied = all.slice(4, 29);
    expect(tied).toEqual([...ids.tied].sort().reverse());
  });

  it('gives the same rows whatever the page size', async () => {
    const big = (await pageAll(100)).map((e) => e.node.id);
    const small = (await pageAll(7)).map((e) => e.node.id);
    expect(small).toEqual(big);
  });

  it('counts the filtered rows in totalCount', async () => {
    const h = expectData(await t.gql(HISTORY, { first: 2 })).history;
    expect(h.totalCount).toBe(30);
    expect(h.edges).toHaveLength(2);
  });

  it('filters by status, model, time range, search, error code and image', async () => {
    const only = async (filter: Record<string, unknown>) => (await pageAll(50, filter)).map((e) => e.node.id);
    expect(await only({ status: ['FAILED'] })).toEqual([ids.failed]);
    expect(await only({ modelId: ['amazon.nova-lite-v1:0'] })).toEqual([ids.nova]);
    expect(await only({ createdAfter: '2026-01-01T00:00:00Z', createdBefore: '2026-02-01T00:00:00Z' })).toEqual([
      ids.early,
    ]);
    expect(await only({ search: 'forklift' })).toEqual([ids.forklift]);
    expect(await only({ search: 'PALLETS' })).toEqual([ids.nova]);
    expect(await only({ errorCode: 'UPSTREAM_THROTTLED' })).toEqual([ids.failed]);
    expect(await only({ imageSha256: OTHER_IMAGE.sha256 })).toEqual([ids.otherImage]);
    expect(await only({ status: ['SUCCEEDED'], createdAfter: '2026-04-01T00:00:00Z' })).toEqual([
      ids.otherImage,
      ids.nova,
      ids.forklift,
    ]);
    expect(await only({ search: 'no such words' })).toEqual([]);
  });

  it('refuses a tampered cursor', async () => {
    const first = expectData(await t.gql(HISTORY, { first: 1 })).history;
    const cursor: string = first.pageInfo.endCursor;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    decoded[0] = 'cost:desc,id:desc';
    const forged = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    expectErrorCode(await t.gql(HISTORY, { after: forged }), 'BAD_USER_INPUT', 'CURSOR_INVALID');
    expectErrorCode(await t.gql(HISTORY, { after: 'garbage' }), 'BAD_USER_INPUT', 'CURSOR_INVALID');
  });

  it('refuses page sizes outside 1..100 and inverted time ranges', async () => {
    expectErrorCode(await t.gql(HISTORY, { first: 0 }), 'BAD_USER_INPUT', 'PAGE_SIZE_INVALID');
    expectErrorCode(await t.gql(HISTORY, { first: 101 }), 'BAD_USER_INPUT', 'PAGE_SIZE_INVALID');
    expectErrorCode(
      await t.gql(HISTORY, { filter: { createdAfter: '2026-05-01T00:00:00Z', createdBefore: '2026-04-01T00:00:00Z' } }),
      'BAD_USER_INPUT',
      'FILTER_INVALID',
    );
  });

  it('answers null for an unknown description id and refuses a malformed one', async () => {
    const q = `query($id: ID!) { description(id: $id) { id } }`;
    expect(expectData(await t.gql(q, { id: randomUUID() })).description).toBeNull();
    expectErrorCode(await t.gql(q, { id: 'nope' }), 'BAD_USER_INPUT', 'ID_INVALID');
  });
});
