import { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter } from './HistoryFilter.js';

const { sql } = Prisma;

/**
 * The usage-honesty and cache conditions of a history filter, on `description_request d`. A
 * PENDING row's usage is not known yet either, so "usage unknown" means completed rows only.
 */
export function attemptWhereSql(filter: Pick<HistoryFilter, 'usageKnown' | 'cached'>): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (filter.usageKnown === true) c.push(sql`d."usageKnown" AND d."status" <> 'PENDING'`);
  if (filter.usageKnown === false) c.push(sql`NOT d."usageKnown" AND d."status" <> 'PENDING'`);
  if (filter.cached === true) c.push(sql`d."cachedFromId" IS NOT NULL`);
  if (filter.cached === false) c.push(sql`d."cachedFromId" IS NULL`);
  return c;
}

/**
 * usageSummary's honesty and cache columns, per bucket: how many completed rows have an unknown
 * usage (their cost is not in costUsd), how many were served from the cache, and what those saved.
 */
export const ATTEMPT_SUMMARY_COLUMNS = sql`,
      (count(*) FILTER (WHERE NOT d."usageKnown" AND d."status" <> 'PENDING'))::int AS "unknownUsageRequests",
      (count(*) FILTER (WHERE d."cachedFromId" IS NOT NULL))::int AS "cachedRequests",
      coalesce(sum(d."savedUsd"), 0)::text AS "savedUsd"`;
