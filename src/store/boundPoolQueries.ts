import type pg from 'pg';
import { queryWithReadTimeout } from './queryWithReadTimeout.js';

/**
 * Makes `pool.query` run each statement through queryWithReadTimeout, for every caller that uses it: the driver and
 * Prisma's adapter (which calls `pool.query(config)` and, for scripts, `pool.query(text)`). Connections taken with
 * `pool.connect` (migrations, Prisma's interactive transactions) are not bounded. Only the promise forms exist here:
 * nothing in this app passes pool.query a callback.
 */
export function boundPoolQueries(pool: pg.Pool, timeoutMs: number): void {
  const query = (statement: string | pg.QueryConfig, values?: unknown[]) =>
    queryWithReadTimeout(
      pool,
      typeof statement === 'string' ? { text: statement, ...(values === undefined ? {} : { values }) } : statement,
      timeoutMs,
    );
  pool.query = query as typeof pool.query;
}
