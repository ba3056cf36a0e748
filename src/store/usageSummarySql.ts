import { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter } from './HistoryFilter.js';
import { historyWhereSql } from './historySql.js';
import { VISION_ANALYTICS_COLUMNS } from './visionAnalyticsSql.js';
import { ATTEMPT_SUMMARY_COLUMNS } from './attemptFilterSql.js';
import type { UsageGroupBy } from './UsageSummary.js';

const { sql, join, raw } = Prisma;

/** Latency percentiles are of model calls: a cached answer's 0 ms would pull them down. */
const MODEL_CALLED = sql`d."cachedFromId" IS NULL`;

/**
 * One aggregate query per summary: counts, token sums, the exact cost sum and latency
 * percentiles per bucket. Days and hours are cut in `timeZone` (an IANA name).
 */
export function usageSummarySql(
  filter: HistoryFilter,
  groupBy: readonly UsageGroupBy[],
  timeZone: string,
  groupByTag?: string,
): Prisma.Sql {
  const truncate = (unit: 'day' | 'hour') =>
    sql`(date_trunc(${unit}, d."createdAt" AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone})`;
  const keys: Record<UsageGroupBy, Prisma.Sql> = {
    MODEL: sql`d."baseModelId"`,
    DAY: truncate('day'),
    HOUR: truncate('hour'),
    STATUS: sql`d."status"::text`,
    API: sql`d."api"::text`,
    API_KEY: sql`d."apiKeyId"::text`,
    SERVICE_TIER: sql`d."serviceTier"::text`,
  };
  const names: Record<UsageGroupBy, string> = {
    MODEL: 'model',
    DAY: 'day',
    HOUR: 'hour',
    STATUS: 'status',
    API: 'api',
    API_KEY: 'apiKeyId',
    SERVICE_TIER: 'serviceTier',
  };
  const unique = [...new Set(groupBy)];
  const selected = unique.map((g) => sql`${keys[g]} AS ${raw(`"${names[g]}"`)}`);
  // A tag key groups like one more key: the tag's value, NULL for rows without the tag.
  if (groupByTag !== undefined) selected.push(sql`d."tags" ->> ${groupByTag} AS "tag"`);
  const positions = selected.map((_, i) => raw(String(i + 1)));
  const grouping = selected.length === 0 ? sql`` : sql` GROUP BY ${join(positions)} ORDER BY ${join(positions)}`;
  return sql`SELECT ${selected.length > 0 ? sql`${join(selected)}, ` : sql``}
      count(*)::int AS "requests",
      coalesce(sum(d."inputTokens"), 0)::float8 AS "inputTokens",
      coalesce(sum(d."outputTokens"), 0)::float8 AS "outputTokens",
      coalesce(sum(d."totalTokens"), 0)::float8 AS "totalTokens",
      coalesce(sum(d."costUsd"), 0)::text AS "costUsd",
      percentile_cont(0.5) WITHIN GROUP (ORDER BY d."latencyMs") FILTER (WHERE ${MODEL_CALLED}) AS "latencyP50Ms",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY d."latencyMs") FILTER (WHERE ${MODEL_CALLED}) AS "latencyP95Ms",${VISION_ANALYTICS_COLUMNS}${ATTEMPT_SUMMARY_COLUMNS}
    FROM "description_request" d
    WHERE ${historyWhereSql(filter)}${grouping}`;
}
