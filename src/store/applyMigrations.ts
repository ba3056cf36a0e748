import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The little a migration needs from a connection: PGlite and node-postgres both fit. */
export interface SqlSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** Runs a script of several statements (simple query protocol). */
  exec(sql: string): Promise<unknown>;
}

export interface MigrationLog {
  warn(message: string): void;
  info(message: string): void;
}

// The table `prisma migrate deploy` keeps, so either tool can take over from the other.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies the folders of `prisma/migrations` that the database has not seen, in name
 * order, and records them in `_prisma_migrations` exactly as Prisma does (checksum =
 * sha256 of migration.sql). Prisma's CLI needs a native engine that cannot be
 * downloaded offline; this keeps start-up self-contained while the folder stays in
 * Prisma's format for `prisma migrate deploy` elsewhere.
 *
 * Each migration runs in one transaction (PostgreSQL DDL is transactional), so a
 * failure leaves the database as it was; `CREATE INDEX CONCURRENTLY` therefore cannot
 * be used in a migration file. Returns the names applied.
 */
export async function applyMigrations(
  session: SqlSession,
  migrationsDir: string,
  log: MigrationLog,
): Promise<string[]> {
  await session.exec(CREATE_MIGRATIONS_TABLE);
  const { rows } = await session.query(
    'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  const applied = new Map((rows as unknown as AppliedRow[]).map((r) => [r.migration_name, r]));
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const done: string[] = [];
  for (const name of names) {
    const sql = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    const previous = applied.get(name);
    if (previous !== undefined) {
      if (previous.finished_at === null) {
        throw new Error(
          `Migration ${name} failed earlier and was not resolved; fix the database, then mark it rolled back`,
        );
      }
      if (previous.checksum !== checksum) {
        log.warn(`Migration ${name} was modified after it was applied (checksum differs)`);
      }
      continue;
    }
    await session.exec('BEGIN');
    try {
      await session.exec(sql);
      await session.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), $3, 1)`,
        [randomUUID(), checksum, name],
      );
      await session.exec('COMMIT');
    } catch (error) {
      await session.exec('ROLLBACK');
      throw new Error(`Migration ${name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
    }
    log.info(`Applied migration ${name}`);
    done.push(name);
  }
  return done;
}
