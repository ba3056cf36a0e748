import { DEFAULT_POSTGRES_POOL } from '../src/config.js';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema, migrationChecksum } from '../scripts/migrationDiff.mjs';
import { openStore } from '../src/store/index.js';
import { createFreshPostgresDatabase } from './helpers/databases.js';
import { startTestApp } from './helpers/startTestApp.js';

const schemaPath = new URL('../prisma/schema.prisma', import.meta.url).pathname;
const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname;

describe('prisma/migrations', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'bvg-schema-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('builds exactly the database schema.prisma describes (no drift)', async () => {
    expect(await diffMigrationsToSchema()).toBe('');
  });

  it('detects drift when schema.prisma gains a column the migrations lack', async () => {
    const edited = readFileSync(schemaPath, 'utf8').replace(/^(\s+requestHash\s+String)$/m, '$1\n  driftProbe Int?');
    expect(edited).toContain('driftProbe');
    const copy = join(scratch, 'schema.prisma');
    writeFileSync(copy, edited);
    const sql = await diffMigrationsToSchema({ schemaPath: copy, migrationsDir });
    expect(sql).toMatch(/ALTER TABLE "description_request" ADD COLUMN\s+"driftProbe" INTEGER/);
  });

  it('records applied migrations in _prisma_migrations the way prisma migrate deploy does', async () => {
    const db = await createFreshPostgresDatabase();
    const app = await startTestApp('postgres', {
      database: { config: { kind: 'postgres', url: db.url, ...DEFAULT_POSTGRES_POOL }, cleanup: () => db.drop() },
    });
    const client = new pg.Client({ connectionString: db.url });
    try {
      await client.connect();
      const { rows } = await client.query(
        'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      );
      const folders = (await readdir(migrationsDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
      expect(rows.map((r) => r.migration_name)).toEqual(folders);
      for (const row of rows) {
        const sql = readFileSync(join(migrationsDir, row.migration_name, 'migration.sql'), 'utf8');
        expect(row.checksum).toBe(migrationChecksum(sql));
        expect(row.finished_at).not.toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    } finally {
      await client.end();
      await app.stop();
    }
  });

  it('lets several servers start on one empty PostgreSQL database at once', async () => {
    const db = await createFreshPostgresDatabase();
    const database = {
      config: { kind: 'postgres' as const, url: db.url, ...DEFAULT_POSTGRES_POOL },
      cleanup: async () => {},
    };
    try {
      const apps = await Promise.all([1, 2, 3].map(() => startTestApp('postgres', { database })));
      await Promise.all(apps.map((a) => a.stop()));
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('SELECT count(*)::int AS n FROM "_prisma_migrations"');
      await client.end();
      const folders = (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory());
      expect(rows[0].n).toBe(folders.length);
    } finally {
      await db.drop();
    }
  });

  it('applies a migration that runs longer than the statement timeout (an index build on a large ledger)', async () => {
    const db = await createFreshPostgresDatabase();
    const slow = join(scratch, 'slow-migration');
    cpSync(migrationsDir, slow, { recursive: true });
    mkdirSync(join(slow, '29991231000000_slow_step'));
    writeFileSync(join(slow, '29991231000000_slow_step', 'migration.sql'), 'SELECT pg_sleep(2);\n');
    const log = { info: () => {}, warn: () => {} };
    try {
      // Requests get 200 ms, and the driver gives a frozen server 1.2 s; a migration gets as long as it takes.
      const config = { kind: 'postgres' as const, url: db.url, ...DEFAULT_POSTGRES_POOL, statementTimeoutMs: 200 };
      await (await openStore(config, { log, migrationsDir: slow })).close();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(
        `SELECT finished_at IS NOT NULL AS done FROM "_prisma_migrations" WHERE migration_name = '29991231000000_slow_step'`,
      );
      await client.end();
      expect(rows).toEqual([{ done: true }]);
    } finally {
      await db.drop();
    }
  });

  it('copies each request createdAt into its image links on upgrade, and into links an older server inserts', async () => {
    const db = await createFreshPostgresDatabase();
    const folders = (await readdir(migrationsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const before = join(scratch, 'before-image-newest-requests');
    for (const name of folders.filter((f) => f < folders.find((n) => n.endsWith('_image_newest_requests'))!)) {
      cpSync(join(migrationsDir, name), join(before, name), { recursive: true });
    }
    const log = { info: () => {}, warn: () => {} };
    const client = new pg.Client({ connectionString: db.url });
    try {
      await (
        await openStore({ kind: 'postgres', url: db.url, ...DEFAULT_POSTGRES_POOL }, { log, migrationsDir: before })
      ).close();
      await client.connect();
      await client.query(`INSERT INTO "image" ("sha256", "mediaType", "byteSize", "width", "height")
        VALUES (repeat('a', 64), 'image/png', 10, 1, 1)`);
      for (const [id, createdAt] of [
        ['00000000-0000-4000-8000-000000000001', '2026-01-02T03:04:05.678Z'],
        ['00000000-0000-4000-8000-000000000002', '2026-02-03T04:05:06.789Z'],
      ]) {
        await client.query(
          `INSERT INTO "description_request" ("id", "modelId", "baseModelId", "api", "prompt", "maxTokens", "requestHash", "createdAt")
           VALUES ($1, 'm', 'm', 'CONVERSE', 'p', 10, 'h', $2)`,
          [id, createdAt],
        );
        await client.query(
          `INSERT INTO "description_image" ("descriptionId", "position", "imageSha256") VALUES ($1, 0, repeat('a', 64)), ($1, 1, repeat('a', 64))`,
          [id],
        );
      }
      await (await openStore({ kind: 'postgres', url: db.url, ...DEFAULT_POSTGRES_POOL }, { log })).close();
      const { rows } = await client.query(
        `SELECT di."requestCreatedAt" = d."createdAt" AS same, count(*)::int AS n FROM "description_image" di
         JOIN "description_request" d ON d."id" = di."descriptionId" GROUP BY 1`,
      );
      expect(rows).toEqual([{ same: true, n: 4 }]);
      // A server of the previous release, still running during a rolling upgrade, inserts a
      // link without the new column: the database fills it from the request.
      await client.query(
        `INSERT INTO "description_image" ("descriptionId", "position", "imageSha256")
         VALUES ('00000000-0000-4000-8000-000000000002', 2, repeat('a', 64))`,
      );
      const { rows: late } = await client.query(
        `SELECT "requestCreatedAt" FROM "description_image" WHERE "position" = 2`,
      );
      expect(late).toEqual([{ requestCreatedAt: new Date('2026-02-03T04:05:06.789Z') }]);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
