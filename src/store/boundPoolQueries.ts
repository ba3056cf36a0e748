import type pg from 'pg';
import { queryWithReadTimeout } from './queryWithReadTimeout.js';

/**
 * Makes `pool.query` run each statement through queryWithReadTimeout, for every caller that uses it: the driver and
 * Prisma's adapter (which calls `pool.query(config)` and, for scripts, `pool.query(text)`). Connections taken with
 * `pool.connect` (migrations, Prisma's interactive transactions) are not bounded. Only the promise forms exist here:
 * nothing in this app passes pool.query a callback.
 */
export function boundPoolQueries(pool: pg.Pool, timeoutMs: number): void {
  const query = (statement: string | pg.QueryConfig, values?: unknown[], ...rest: unknown[]) => {
    // A callback would go unanswered here (and a config's own values would be dropped for a second list): refuse.
    if (
      [statement, values, ...rest].some((arg) => typeof arg === 'function') ||
      (typeof statement !== 'string' && values !== undefined)
    ) {
      throw new TypeError('pool.query takes (text[, values]) or (config) here, and answers with a promise');
    }
    return queryWithReadTimeout(
      pool,
      typeof statement === 'string' ? { text: statement, ...(values === undefined ? {} : { values }) } : statement,
      timeoutMs,
    );
  };
  pool.query = query as typeof pool.query;
}
