import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POSTGRES_POOL } from '../../src/config.js';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { packageRoot } from '../../src/packageRoot.js';
import { applyMigrations, OPEN_MODE_KEY_ID, openStore, type NewDescription } from '../../src/store/index.js';
import { failSql, succeedSql } from '../../src/store/completionSql.js';
import { closeOrphanedSql } from '../../src/store/closeOrphanedSql.js';
import { writeAheadSql } from '../../src/store/writeAheadSql.js';
import { createFreshPostgresDatabase, DATABASES, type DatabaseKind } from '../helpers/databases.js';
import { toAtto } from '../helpers/money.js';

/** A request of `apiKeyId` whose write-ahead reserves 0.01. */
const newRequest = (apiKeyId: string): NewDescription => ({
  id: randomUUID(),
  modelId: 'amazon.nova-lite-v1:0',
  baseModelId: 'amazon.nova-lite-v1:0',
  api: 'CONVERSE',
  provider: 'EMULATOR',
  prompt: 'What is in this image?',
  maxTokens: 100,
  stopSequences: [],
  estimatedCostUsd: '0.01',
  apiKeyId,
  clientRequestId: undefined,
  requestHash: randomUUID(),
  images: [],
});

/**
 * The completion settles the key's budget in the same statement (bvg_succeed, bvg_fail), on
 * every completion. Open mode has no key and no budget, so its completions must neither write
 * nor look up an api_key row. Everything runs on one connection of its own, so the table's
 * statistics count this session's work alone, and under both of PostgreSQL's plans for a named
 * statement: the custom plan of its first runs and the generic plan it settles on.
 */
describe('Settling budgets in the completion statement on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  const keyId = randomUUID();

  beforeAll(async () => {
    database = await createFreshPostgresDatabase();
    const log = { info: () => {}, warn: () => {} };
    await (await openStore({ kind: 'postgres', url: database.url, ...DEFAULT_POSTGRES_POOL }, { log })).close();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Keys with and without budgets, so a lookup would have rows to find.
    await client.query(
      `INSERT INTO "api_key" ("id", "name", "prefix", "secretHash", "dailyUsd", "monthlyUsd")
       VALUES ($1, 'budgeted', 'bvg_settle1', repeat('a', 64), 1, 10),
              (gen_random_uuid(), 'unbounded', 'bvg_settle2', repeat('b', 64), NULL, NULL),
              (gen_random_uuid(), 'monthly', 'bvg_settle3', repeat('c', 64), NULL, 5)`,
      [keyId],
    );
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  /** Runs a statement as the store does: the same text, values and prepared statement name. */
  const run = async <T extends pg.QueryResultRow>(query: Prisma.Sql, name?: string) =>
    (await client.query<T>({ name, text: query.text, values: query.values })).rows;

  /** A written PENDING row, its reservation taken when it has a key. */
  const pending = async (apiKeyId: string) => {
    const request = newRequest(apiKeyId);
    const name = apiKeyId === OPEN_MODE_KEY_ID ? 'bvg_write_ahead' : 'bvg_write_ahead_budgeted';
    expect(await run(writeAheadSql(request, new Date(), null), name)).toHaveLength(1);
    return request.id;
  };

  /** Every key row's version and counters: an UPDATE, even one that changes no value, gives a row a new xmin. */
  const keyRows = async () =>
    (
      await client.query<{ id: string }>(
        `SELECT "id", xmin::text, "daySpentUsd"::text, "monthSpentUsd"::text FROM "api_key" ORDER BY "id"`,
      )
    ).rows;

  /** This session's reads and writes of api_key so far (its statistics flushed first, so they are exact). */
  const apiKeyWork = async () => {
    await client.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await client.query<{ reads: string; updates: string }>(
      `SELECT (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS reads, n_tup_upd::text AS updates
       FROM pg_stat_user_tables WHERE relname = 'api_key'`,
    );
    return { reads: Number(rows[0]!.reads), updates: Number(rows[0]!.updates) };
  };

  const succeed = (id: string) =>
    run(
      succeedSql(
        { id, run: 1, attemptsBefore: 0 },
        {
          text: 'A photo.',
          stopReason: 'end_turn',
          usage: { inputTokens: 1000, outputTokens: 100 },
          costUsd: '0.0035',
          latencyMs: 5,
          modelLatencyMs: 4,
          bedrockRequestId: 'req-settle',
        },
        new Date(),
      ),
      'bvg_succeed',
    );
  const fail = (id: string) =>
    run(
      failSql(
        { id, run: 1, attemptsBefore: 0 },
        { code: 'UPSTREAM_ERROR', message: 'It broke.', latencyMs: 5, bedrockRequestId: undefined },
        new Date(),
      ),
      'bvg_fail',
    );

  /** The key's day and month spend, in atto-dollars. */
  const spent = async () => {
    const { rows } = await client.query<{ day: string; month: string }>(
      `SELECT "daySpentUsd"::text AS day, "monthSpentUsd"::text AS month FROM "api_key" WHERE "id" = $1`,
      [keyId],
    );
    return { day: toAtto(rows[0]!.day), month: toAtto(rows[0]!.month) };
  };

  it.each(['force_custom_plan', 'force_generic_plan'])(
    'neither writes nor reads an api_key row for an open-mode completion (%s)',
    async (planCacheMode) => {
      await client.query(`SET plan_cache_mode = ${planCacheMode}`);
      const succeeding = await pending(OPEN_MODE_KEY_ID);
      const failing = await pending(OPEN_MODE_KEY_ID);
      const rowsBefore = await keyRows();
      const before = await apiKeyWork();

      expect(await succeed(succeeding)).toEqual([{ costUsd: '0.0035' }]);
      expect(await fail(failing)).toEqual([{ costUsd: null }]);

      expect(await apiKeyWork()).toEqual(before);
      expect(await keyRows()).toEqual(rowsBefore);
    },
  );

  it.each(['force_custom_plan', 'force_generic_plan'])(
    "settles a keyed completion's reservation to its cost, and only that key's row (%s)",
    async (planCacheMode) => {
      await client.query(`SET plan_cache_mode = ${planCacheMode}`);
      const start = await spent();
      const succeeding = await pending(keyId);
      const failing = await pending(keyId);
      // Both reservations are held.
      expect(await spent()).toEqual({ day: start.day + toAtto('0.02'), month: start.month + toAtto('0.02') });
      const others = (await keyRows()).filter((row) => row.id !== keyId);
      const before = await apiKeyWork();

      await succeed(succeeding);
      await fail(failing);

      // The success now counts its cost, the failure nothing; each completion updated the key's row once.
      expect(await spent()).toEqual({ day: start.day + toAtto('0.0035'), month: start.month + toAtto('0.0035') });
      const after = await apiKeyWork();
      expect(after.updates - before.updates).toBe(2);
      expect(after.reads - before.reads).toBeGreaterThanOrEqual(2);
      expect((await keyRows()).filter((row) => row.id !== keyId)).toEqual(others);
    },
  );

  it("a sweep counts what the row's attempts cost, including those an overtaken run added while it was PENDING", async () => {
    const daySpent = async () => (await spent()).day;
    const id = await pending(keyId);
    // As a row reopened after run 1 cost 0.004 (its cost column says so, and the spend holds it on
    // top of run 3's reservation), to which run 2's late answer, 0.003, was added while run 3 ran.
    // The spend holds 0.004 + 0.01 now; after the sweep it must hold 0.004 + 0.003.
    const attempt = (run: number, costUsd: string) => ({ run, billed: true, outcome: 'ANSWERED', costUsd });
    await client.query(
      `UPDATE "description_request" SET "run" = 3, "costUsd" = 0.004, "reservedUsd" = 0.014, "attempts" = $2::jsonb
       WHERE "id" = $1`,
      [id, JSON.stringify([attempt(1, '0.004'), attempt(2, '0.003')])],
    );
    await client.query(`UPDATE "api_key" SET "daySpentUsd" = "daySpentUsd" + 0.004 WHERE "id" = $1`, [keyId]);
    const before = await daySpent();
    expect(await run(closeOrphanedSql('INTERRUPTED', 'swept', new Date(Date.now() + 60_000)))).toEqual([{ id }]);
    expect((await daySpent()) - before).toBe(toAtto('0.003') - toAtto('0.01'));
  });

  it('a completion settled after its day ended adds what it costs beyond its reservation to the current day, and gives nothing back', async () => {
    const spentToday = async () => (await spent()).day;
    // Yesterday's rows, as a late answer (or a journal replayed after midnight) finds them: one a sweep
    // closed INTERRUPTED, its reservation released; one still holding its reservation of 0.01.
    const released = await pending(keyId);
    const held = await pending(keyId);
    await client.query(
      `UPDATE "description_request" SET "createdAt" = "createdAt" - interval '1 day',
         "status" = CASE WHEN "id" = $1 THEN 'FAILED'::"DescriptionStatus" ELSE "status" END,
         "errorCode" = CASE WHEN "id" = $1 THEN 'INTERRUPTED' END,
         "reservedUsd" = CASE WHEN "id" = $1 THEN 0 ELSE "reservedUsd" END
       WHERE "id" IN ($1, $2)`,
      [released, held],
    );
    const before = await spentToday();
    await succeed(released);
    expect((await spentToday()) - before).toBe(toAtto('0.0035'));
    await succeed(held);
    expect((await spentToday()) - before).toBe(toAtto('0.0035'));
  });
});

/** A connection of its own to a fresh, migrated database of `kind`: statements run as the store runs them. */
async function openDatabase(kind: DatabaseKind) {
  const log = { info: () => {}, warn: () => {} };
  if (kind === 'pglite') {
    const db = await PGlite.create({ extensions: { pg_trgm } });
    await applyMigrations(
      { query: (text, params) => db.query(text, params), exec: (text) => db.exec(text) },
      join(packageRoot(), 'prisma', 'migrations'),
      log,
    );
    const query = async <T>(text: string, values: unknown[] = []) => (await db.query<T>(text, values)).rows;
    return {
      query,
      run: <T>(statement: Prisma.Sql) => query<T>(statement.text, statement.values),
      close: () => db.close(),
    };
  }
  const database = await createFreshPostgresDatabase();
  await (await openStore({ kind: 'postgres', url: database.url, ...DEFAULT_POSTGRES_POOL }, { log })).close();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const query = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows as T[];
  return {
    query,
    run: <T>(statement: Prisma.Sql) => query<T>(statement.text, statement.values),
    close: async () => {
      await client.end();
      await database.drop();
    },
  };
}

/**
 * A sweep closes every orphaned row in one statement, so several rows of one key settle together:
 * each gives back its own reservation. The settle used to join the key's row to each closed row,
 * and an UPDATE joined to several source rows updates its target once, from one of them.
 */
describe.each(DATABASES)('Settling budgets when a sweep closes several rows of one key on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  const keys = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    database = await openDatabase(kind);
    await database.query(
      `INSERT INTO "api_key" ("id", "name", "prefix", "secretHash", "dailyUsd", "monthlyUsd")
       VALUES ($1, 'first', 'bvg_sweep1', repeat('a', 64), 1, 10), ($2, 'second', 'bvg_sweep2', repeat('b', 64), 1, 10)`,
      keys,
    );
  }, 60_000);
  afterAll(() => database?.close());

  const spent = async (apiKeyId: string) => {
    const [row] = await database.query<{ day: string; month: string }>(
      `SELECT "daySpentUsd"::text AS day, "monthSpentUsd"::text AS month FROM "api_key" WHERE "id" = $1`,
      [apiKeyId],
    );
    return { day: toAtto(row!.day), month: toAtto(row!.month) };
  };

  it("gives back every closed row's reservation, each key's own", async () => {
    const [first, second] = keys as [string, string];
    const start = { first: await spent(first), second: await spent(second) };
    // Rows written without an owner (as before leases), which the sweep takes once older than its cutoff.
    const ids: string[] = [];
    for (const apiKeyId of [first, first, first, second, second]) {
      const request = newRequest(apiKeyId);
      expect(await database.run(writeAheadSql(request, new Date(), null))).toHaveLength(1);
      ids.push(request.id);
    }
    expect(await spent(first)).toEqual({
      day: start.first.day + toAtto('0.03'),
      month: start.first.month + toAtto('0.03'),
    });

    const closed = await database.run<{ id: string }>(
      closeOrphanedSql('INTERRUPTED', 'swept', new Date(Date.now() + 60_000)),
    );
    expect(closed.map((row) => row.id).sort()).toEqual([...ids].sort());

    // No attempt was recorded, so none is known to have cost anything: the spend holds none of them.
    expect(await spent(first)).toEqual(start.first);
    expect(await spent(second)).toEqual(start.second);
  });
});
