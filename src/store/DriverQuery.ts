import type { Prisma } from '../generated/prisma/client.js';

/**
 * Runs a statement on the database driver itself (node-postgres's pool, on PostgreSQL or on the
 * PGlite thread), the one Prisma's adapter holds, past the Prisma client's per-query work: for
 * the request path's writes and for bulk reads. The row type is not checked: return text, and
 * integers as numbers (cast the rest `::text`), which node-postgres decodes the same on both.
 */
export type DriverQuery = <T>(query: Prisma.Sql, options?: DriverQueryOptions) => Promise<T[]>;

export interface DriverQueryOptions {
  /**
   * Names a statement whose text never changes (its values are parameters, lists included), so
   * PostgreSQL (PGlite too) parses and plans it once per connection instead of on every request.
   */
  readonly prepareAs?: string;
}
