import type { Prisma } from '../generated/prisma/client.js';

/**
 * Runs a statement on the database driver itself (node-postgres's pool, or PGlite), the one
 * Prisma's adapter holds, past the Prisma client's per-query work: for the request path's
 * writes and for bulk reads. The row type is not checked: return only columns both drivers
 * decode alike — text, and integers as numbers (cast the rest `::text`).
 */
export type DriverQuery = <T>(query: Prisma.Sql, options?: DriverQueryOptions) => Promise<T[]>;

export interface DriverQueryOptions {
  /**
   * Names a statement whose text never changes (its values are parameters, lists included), so
   * PostgreSQL parses and plans it once per connection instead of on every request. PGlite,
   * in-process, has no use for it.
   */
  readonly prepareAs?: string;
}
