import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type DatabaseKind = 'postgres' | 'pglite';

const POSTGRES_SERVER = 'postgresql://postgres@127.0.0.1:5432';
/** The only database this benchmark creates or drops. */
const POSTGRES_DATABASE = 'bvg_overhead';

export interface FreshDatabase {
  readonly url: string;
  /** Removes a PGlite folder; a PostgreSQL database is kept for a look afterwards and dropped by the next run. */
  readonly dispose: () => Promise<void>;
}

const pgliteDirs = new Set<string>();

/** Removes the PGlite folders still in use, when the benchmark is interrupted and no `dispose` will run. */
export function removePgliteDirsSync(): void {
  for (const dir of pgliteDirs) rmSync(dir, { recursive: true, force: true });
}

/**
 * An empty database for one API process, so each case starts from the same state and its rows are its own: the
 * PostgreSQL database `bvg_overhead` dropped and created again, or a new PGlite folder. The API applies the
 * migrations when it starts.
 */
export async function freshDatabase(kind: DatabaseKind): Promise<FreshDatabase> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'bvg-overhead-pglite-'));
    pgliteDirs.add(dir);
    const dispose = async () => {
      await rm(dir, { recursive: true, force: true });
      pgliteDirs.delete(dir);
    };
    return { url: `file:${dir}`, dispose };
  }
  const admin = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${POSTGRES_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${POSTGRES_DATABASE}`);
  } finally {
    await admin.end();
  }
  return { url: `${POSTGRES_SERVER}/${POSTGRES_DATABASE}`, dispose: async () => {} };
}
