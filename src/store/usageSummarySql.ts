import { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter } from './HistoryFilter.js';
import { historyWhereSql } from './historySql.js';
import type { UsageGroupBy } from './UsageSummary.js';

const { sql, join, raw } = Prisma;

/**
 * One aggregate query per summary: counts, token sums, the exact cost sum and latency
 * percentiles per bucket. Days and hours are cut in `timeZone` (an IANA name).
 */
export function usageSummarySql(filter: HistoryFilter, groupBy: readonly UsageGroupBy[], timeZone: string): Prisma.Sql {
  const truncate = (unit: 'day' | 'hour') =>
    sql`(date_trunc(${unit}, d."createdAt" AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone})`;
  const keys: Record<UsageGroupBy, Prisma.Sql> = {
    MODEL: sql`d."baseModelId"`,
    DAY: truncate('day'),
    HOUR: truncate('hour'),
    STATUS: sql`d."status"::text`,
    API: sql`d."api"::text`,
  };
  const names: Record<UsageGroupBy, string> = {
    MODEL: 'model',
    DAY: 'day',
    HOUR: 'hour',
    STATUS: 'status',
    API: 'api',
  };
  const unique = [...new Set(groupBy)];
  const selected = unique.map((g) => sql`${keys[g]} AS ${raw(`"${names[g]}"`)}`);
  const positions = unique.map((_, i) => raw(String(i + 1)));
  const grouping = unique.length === 0 ? sql`` : sql` GROUP BY ${join(positions)} ORDER BY ${join(positions)}`;
  return sql`SELECT ${selected.length > 0 ? sql`${join(selected)}, ` : sql``}
      count(*)::int AS "requests",
      coalesce(sum(d."inputTokens"), 0)::float8 AS "inputTokens",
      coalesce(sum(d."outputTokens"), 0)::float8 AS "outputTokens",
      coalesce(sum(d."totalTokens"), 0)::float8 AS "totalTokens",
      coalesce(sum(d."costUsd"), 0)::text AS "costUsd",
      percentile_cont(0.5) WITHIN GROUP (ORDER BY d."latencyMs") AS "latencyP50Ms",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY d."latencyMs") AS "latencyP95Ms"
    FROM "description_request" d
    WHERE ${historyWhereSql(filter)}${grouping}`;
}
