import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';

/** The two databases every behaviour test runs on. */
export const DATABASES = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

/** The PostgreSQL server tests use (running on developer and CI machines). */
export const POSTGRES_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Creates an empty PostgreSQL database for one test file; `drop` removes it. */
export async function createFreshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bvg_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A transaction of a test's own that holds locks on the server's database (see holdingLocks). */
export interface LockHolder {
  /**
   * How many other connections to this database wait on a lock now. pg_locks is read live; pg_stat_activity would be
   * a snapshot taken once in this transaction, blind to connections opened since.
   */
  waiting(): Promise<number>;
  /** Commits: the locks are let go. */
  release(): Promise<void>;
}

/**
 * Runs `lockStatement` in a transaction on a connection of its own to the server's PostgreSQL
 * database and hands `run` the holder, so a test can stop the server's statements at a chosen
 * point (a row lock, a table lock) and let them go when it likes; committed at the end in any case.
 */
export async function holdingLocks<T>(
  config: DatabaseConfig,
  lockStatement: string,
  params: unknown[],
  run: (holder: LockHolder) => Promise<T>,
): Promise<T> {
  if (config.kind !== 'postgres') throw new Error('locks are held on PostgreSQL only');
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  let open = true;
  const release = async () => {
    if (!open) return;
    open = false;
    await client.query('COMMIT');
  };
  try {
    await client.query('BEGIN');
    await client.query(lockStatement, params);
    return await run({
      release,
      waiting: async () =>
        (
          await client.query<{ n: number }>(
            `SELECT count(DISTINCT pid)::int AS n FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()
               AND pid IN (SELECT pid FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()))`,
          )
        ).rows[0]!.n,
    });
  } finally {
    await release().catch(() => {});
    await client.end();
  }
}
