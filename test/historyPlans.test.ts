import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_ORDER, type HistoryFilter, type HistoryKey, type HistoryOrder } from '../src/store/index.js';
import { historyPageSql } from '../src/store/historySql.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

/**
 * EXPLAIN on a ledger big enough that the planner's choice is real: the first page, a
 * deep page and a text search must be served by indexes, never by a sequential scan of
 * description_request.
 */
describe('history query plans on PostgreSQL', () => {
  let t: TestApp;
  let client: pg.Client;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    client = new pg.Client({ connectionString: (t.database.config as { url: string }).url });
    await client.connect();
    // 150 000 rows in one statement (below ~100 000 the planner rightly prefers a sequential scan for
    // substring search); a rare word in 0.1 % of descriptions.
    await client.query(`
      INSERT INTO "description_request" ("id", "status", "modelId", "baseModelId", "api", "prompt", "maxTokens", "text",
        "inputTokens", "outputTokens", "totalTokens", "costUsd", "latencyMs", "requestHash", "createdAt", "completedAt")
      SELECT gen_random_uuid(), 'SUCCEEDED', 'amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0', 'CONVERSE',
        'What is in this image? ' || (g % 97), 1000,
        CASE WHEN g % 1000 = 0 THEN 'A yellow forklift near shelf ' || g ELSE 'A photo of item ' || g || ' on a table' END,
        100 + g % 900, 10 + g % 90, 110 + g % 990, (g % 500) / 100000.0, 100 + g % 5000, md5(g::text),
        now() - (g || ' seconds')::interval, now()
      FROM generate_series(1, 150000) g`);
    // And 15 000 failures: no cost, no tokens, the NULL run at the end of every nullable ordering.
    await client.query(`
      INSERT INTO "description_request" ("id", "status", "modelId", "baseModelId", "api", "prompt", "maxTokens",
        "errorCode", "errorMessage", "latencyMs", "requestHash", "createdAt", "completedAt")
      SELECT gen_random_uuid(), 'FAILED', 'amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0', 'CONVERSE',
        'What is in this image?', 1000, 'UPSTREAM_TIMEOUT', 'timed out', 30000, md5('f' || g),
        now() - (g * 10 || ' seconds')::interval, now()
      FROM generate_series(1, 15000) g`);
    // One image in every 50th request: 3 000 links, newest first by the image's own index.
    await client.query(`INSERT INTO "image" ("sha256", "mediaType", "byteSize", "width", "height")
      VALUES (repeat('c', 64), 'image/png', 10, 1, 1)`);
    await client.query(`INSERT INTO "description_image" ("descriptionId", "position", "imageSha256", "requestCreatedAt")
      SELECT "id", 0, repeat('c', 64), "createdAt" FROM "description_request" WHERE "status" = 'SUCCEEDED'
        AND ('x' || substr(md5("id"::text), 1, 4))::bit(16)::int % 50 = 0`);
    // Idempotency keys on a third of the successes, as clients that retry send them.
    await client.query(`UPDATE "description_request" SET "clientRequestId" = 'retry-' || "requestHash"
      WHERE "status" = 'SUCCEEDED' AND ('x' || substr("requestHash", 1, 4))::bit(16)::int % 3 = 0`);
    await client.query('VACUUM ANALYZE "description_image"');
    // VACUUM as autovacuum would: index-only scans need the visibility map.
    await client.query('VACUUM ANALYZE "description_request"');
  }, 240_000);
  afterAll(async () => {
    await client?.end();
    await t?.stop();
  });

  async function plan(
    filter: HistoryFilter,
    key?: HistoryKey,
    order: HistoryOrder = DEFAULT_HISTORY_ORDER,
  ): Promise<string> {
    const query = historyPageSql(filter, order, order.direction, key, 21);
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${query.text}`, query.values as unknown[]);
    return JSON.stringify(rows[0]['QUERY PLAN']);
  }

  const seqScanOnLedger = /"Node Type":"Seq Scan"[^}]*"Relation Name":"description_request"/;

  it('serves the first page from the (createdAt, id) index', async () => {
    const p = await plan({});
    expect(p).not.toMatch(seqScanOnLedger);
    expect(p).toContain('description_request_newest_first_idx');
  });

  it('serves a page deep in the ledger by keyset, from the same index', async () => {
    const { rows } = await client.query(
      `SELECT "id", "createdAt" FROM "description_request" ORDER BY "createdAt" DESC, "id" DESC OFFSET 120000 LIMIT 1`,
    );
    const p = await plan({}, { value: (rows[0].createdAt as Date).toISOString(), id: rows[0].id });
    expect(p).not.toMatch(seqScanOnLedger);
    expect(p).toContain('description_request_newest_first_idx');
  });

  it('serves a text search from the trigram indexes', async () => {
    const p = await plan({ search: 'forklift' });
    expect(p).not.toMatch(seqScanOnLedger);
    expect(p).toMatch(/description_request_(text|prompt|systemPrompt)_idx/);
  });

  const indexOnlyScanOf = (index: string) => new RegExp(`"Node Type":"Index Only Scan"[^}]*"Index Name":"${index}"`);

  it('filters cost and token ranges inside the newest-first index, without reading the ledger', async () => {
    for (const filter of [{ costUsd: { min: '0.004' } }, { inputTokens: { min: 900 } }, { latencyMs: { max: 150 } }]) {
      expect(await plan(filter)).toMatch(indexOnlyScanOf('description_request_newest_first_idx'));
    }
  });

  it('finds a token range that matches nothing through the index of its own column', async () => {
    expect(await plan({ inputTokens: { min: 100_000 } })).toContain('description_request_inputTokens_id_idx');
    expect(await plan({ outputTokens: { min: 100_000 } })).toContain('description_request_outputTokens_id_idx');
  });

  it('skips a run of NULL costs that a status filter excludes inside the (costUsd, id, status) index', async () => {
    const { rows } = await client.query(
      `SELECT "id" FROM "description_request" WHERE "costUsd" IS NULL ORDER BY "id" DESC OFFSET 100 LIMIT 1`,
    );
    const p = await plan(
      { status: ['SUCCEEDED'] },
      { value: null, id: rows[0].id },
      { field: 'COST', direction: 'DESC' },
    );
    expect(p).not.toMatch(seqScanOnLedger);
    expect(p).toMatch(indexOnlyScanOf('description_request_costUsd_id_status_idx'));
  });

  it('finds a clientRequestId across keys (an admin, open mode) through its own index, not the whole unique index', async () => {
    const { rows } = await client.query(`SELECT "clientRequestId" FROM "description_request"
      WHERE "clientRequestId" IS NOT NULL ORDER BY "createdAt" LIMIT 1`);
    const p = await plan({ clientRequestId: rows[0].clientRequestId as string });
    expect(p).not.toMatch(seqScanOnLedger);
    // The unique index leads with apiKeyId: used for a clientRequestId alone, it is read from end to end.
    expect(p).toContain('"Index Name":"description_request_clientRequestId_idx"');
  });

  it("reads an image's newest requests from the image's own index, without sorting", async () => {
    const p = await plan({ imageSha256: 'c'.repeat(64) });
    expect(p).not.toMatch(seqScanOnLedger);
    expect(p).toContain('description_image_imageSha256_requestCreatedAt_descriptionI_idx');
    expect(p).not.toContain('"Node Type":"Sort"');
  });
});
