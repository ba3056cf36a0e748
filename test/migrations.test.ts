import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema, migrationChecksum } from '../scripts/migrationDiff.mjs';
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
      database: { config: { kind: 'postgres', url: db.url }, cleanup: () => db.drop() },
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
    const database = { config: { kind: 'postgres' as const, url: db.url }, cleanup: async () => {} };
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
});
