import { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter } from './HistoryFilter.js';
import { tagsJson } from './costTruthSql.js';

const { sql, join } = Prisma;

/**
 * The tier and tag conditions of a history filter, on `description_request d`. All the given
 * tags must match: one `@>` containment of the JSON object, which the GIN (jsonb_path_ops)
 * index on "tags" answers without reading rows that lack any of them.
 */
export function costTruthWhereSql(filter: Pick<HistoryFilter, 'serviceTier' | 'tags'>): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (filter.serviceTier?.length) {
    c.push(sql`d."serviceTier" IN (${join(filter.serviceTier.map((t) => sql`${t}::"ServiceTier"`))})`);
  }
  if (filter.tags?.length) c.push(sql`d."tags" @> ${tagsJson(filter.tags)}::jsonb`);
  return c;
}
