import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POSTGRES_POOL } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import { expectData } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { fromAtto, tokenCost } from '../helpers/money.js';
import { freshDatabase, startTestApp } from '../helpers/startTestApp.js';
import catalog from '../../src/bedrock/models.json' with { type: 'json' };

const MODEL = 'amazon.nova-lite-v1:0';
const migrationsDir = new URL('../../prisma/migrations', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'bvg-cost-truth-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An override file that prices Nova Lite at the given prices from the given date. */
function catalogFile(name: string, input: string, output: string, pricesEffectiveFrom: string): string {
  const builtIn = catalog.models.find((m) => m.id === MODEL)!;
  const path = join(scratch, name);
  writeFileSync(
    path,
    JSON.stringify({
      models: [{ ...builtIn, inputUsdPerMillion: input, outputUsdPerMillion: output, pricesEffectiveFrom }],
    }),
  );
  return path;
}

const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      costUsd
      usage {
        inputTokens
        outputTokens
      }
      unitPrices {
        inputUsdPerMillion
        outputUsdPerMillion
      }
    }
  }
`;
const READ = /* GraphQL */ `
  query ($id: ID!) {
    description(id: $id) {
      costUsd
      unitPrices {
        inputUsdPerMillion
        outputUsdPerMillion
      }
    }
  }
`;

describe.each(['pglite-folder', 'postgres'] as const)('prices that never rewrite history on %s', (kind) => {
  it('keeps a recorded cost and its unit prices when the catalog prices change, and charges new requests the new prices', async () => {
    const database = await freshDatabase(kind);
    const input = { image: { base64: toBase64(await solidImage(120, 90)) }, modelId: MODEL };
    const before = await startTestApp(kind, {
      database,
      bedrock: { modelCatalogFile: catalogFile(`old-${kind}.json`, '1', '2', '2026-01-01') },
    });
    let old: { id: string; costUsd: string; usage: { inputTokens: number; outputTokens: number } };
    try {
      old = expectData(await before.gql(DESCRIBE, { input })).describeImage;
    } finally {
      await before.stop({ keepDatabase: true });
    }
    expect(old.costUsd).toBe(fromAtto(tokenCost(old.usage.inputTokens, '1') + tokenCost(old.usage.outputTokens, '2')));

    const after = await startTestApp(kind, {
      database,
      bedrock: { modelCatalogFile: catalogFile(`new-${kind}.json`, '10', '20', '2026-12-01') },
    });
    try {
      const models = expectData(await after.gql(`{ models { id inputUsdPerMillion pricesEffectiveFrom } }`)).models;
      expect(models.find((m: { id: string }) => m.id === MODEL)).toEqual({
        id: MODEL,
        inputUsdPerMillion: '10',
        pricesEffectiveFrom: '2026-12-01',
      });
      expect(expectData(await after.gql(READ, { id: old.id })).description).toEqual({
        costUsd: old.costUsd,
        unitPrices: { inputUsdPerMillion: '1', outputUsdPerMillion: '2' },
      });
      const fresh = expectData(await after.gql(DESCRIBE, { input })).describeImage;
      expect(fresh.unitPrices).toEqual({ inputUsdPerMillion: '10', outputUsdPerMillion: '20' });
      expect(fresh.costUsd).toBe(
        fromAtto(tokenCost(fresh.usage.inputTokens, '10') + tokenCost(fresh.usage.outputTokens, '20')),
      );
    } finally {
      await after.stop();
    }
  });
});

describe('the cost_truth migration', () => {
  it('fills in the unit prices of earlier rows only where they reproduce the recorded cost', async () => {
    const db = await createFreshPostgresDatabase();
    const folders = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const mine = folders.find((name) => name.endsWith('_cost_truth'))!;
    const before = join(scratch, 'before-cost-truth');
    for (const name of folders.filter((f) => f < mine)) {
      cpSync(join(migrationsDir, name), join(before, name), { recursive: true });
    }
    cpSync(join(migrationsDir, 'migration_lock.toml'), join(before, 'migration_lock.toml'));
    const log = { info: () => {}, warn: () => {} };
    const config = { kind: 'postgres' as const, url: db.url, ...DEFAULT_POSTGRES_POOL };
    const client = new pg.Client({ connectionString: db.url });
    try {
      await (await openStore(config, { log, migrationsDir: before })).close();
      await client.connect();
      const rows: [string, string, string, string, number | null, number | null, string | null, string | null][] = [
        // Claude 3 Sonnet at its catalog prices ($3 / $15): 1000 × 3 + 100 × 15 = 4500 millionths.
        [
          '00000000-0000-4000-8000-000000000001',
          'anthropic.claude-3-sonnet-20240229-v1:0',
          'SUCCEEDED',
          'a',
          1000,
          100,
          '0.0045',
          '0.02',
        ],
        // The same model charged other prices (an override file): not what the catalog says, so unknown.
        [
          '00000000-0000-4000-8000-000000000002',
          'anthropic.claude-3-sonnet-20240229-v1:0',
          'SUCCEEDED',
          'b',
          1000,
          100,
          '0.009',
          '0.02',
        ],
        // A failed call through a global profile, estimated before the call: that profile's prices.
        [
          '00000000-0000-4000-8000-000000000003',
          'global.anthropic.claude-sonnet-4-6',
          'FAILED',
          'c',
          null,
          null,
          null,
          '0.02',
        ],
        // A model outside the catalog: nothing to fill in.
        ['00000000-0000-4000-8000-000000000004', 'acme.vision-v9', 'FAILED', 'd', null, null, null, null],
      ];
      for (const [id, modelId, status, hash, inputTokens, outputTokens, costUsd, estimate] of rows) {
        await client.query(
          `INSERT INTO "description_request" ("id", "status", "modelId", "baseModelId", "api", "prompt", "maxTokens",
             "inputTokens", "outputTokens", "costUsd", "estimatedCostUsd", "requestHash", "errorCode", "errorMessage")
           VALUES ($1, $2::"DescriptionStatus", $3, $3, 'CONVERSE', 'p', 10, $4, $5, $6, $7, $8, $9, $10)`,
          [id, status, modelId, inputTokens, outputTokens, costUsd, estimate, hash].concat(
            status === 'FAILED' ? ['UPSTREAM_ERROR', 'm'] : [null, null],
          ),
        );
      }
      await (await openStore(config, { log })).close();
      const { rows: filled } = await client.query(
        `SELECT "id", trim_scale("inputUsdPerMillion")::text AS input, trim_scale("outputUsdPerMillion")::text AS output,
           trim_scale("cacheReadUsdPerMillion")::text AS cache_read, "serviceTier", "tags", "estimatedInputTokens"
         FROM "description_request" ORDER BY "id"`,
      );
      expect(filled.map(({ id: _id, ...rest }) => rest)).toEqual([
        { input: '3', output: '15', cache_read: null, serviceTier: 'DEFAULT', tags: {}, estimatedInputTokens: null },
        { input: null, output: null, cache_read: null, serviceTier: 'DEFAULT', tags: {}, estimatedInputTokens: null },
        { input: '3', output: '15', cache_read: '0.3', serviceTier: 'DEFAULT', tags: {}, estimatedInputTokens: null },
        { input: null, output: null, cache_read: null, serviceTier: 'DEFAULT', tags: {}, estimatedInputTokens: null },
      ]);
      expect(readFileSync(join(migrationsDir, mine, 'migration.sql'), 'utf8')).toContain(
        'UPDATE "description_request"',
      );
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
