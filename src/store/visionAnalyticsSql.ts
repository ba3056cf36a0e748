import { Prisma } from '../generated/prisma/client.js';

/** Rows whose estimate can be compared with the truth: both counts known (SUCCEEDED rows written with estimates). */
const COMPARABLE = Prisma.sql`d."inputTokens" IS NOT NULL AND d."estimatedInputTokens" IS NOT NULL AND d."inputTokens" > 0`;
/** Rows whose input tokens can be set against the pixels sent. */
const WITH_PIXELS = Prisma.sql`d."inputTokens" IS NOT NULL AND d."imagePixels" > 0`;

/**
 * usageSummary's vision analytics, per bucket (see UsageBucket): megapixels sent, input tokens
 * per megapixel, and how far the pre-call estimate of input tokens sat from Bedrock's count,
 * as the token-weighted bias and the 95th percentile of the error of single requests.
 */
export const VISION_ANALYTICS_COLUMNS = Prisma.sql`
      coalesce(sum(d."imagePixels"), 0)::float8 / 1e6 AS "megapixels",
      sum(d."inputTokens") FILTER (WHERE ${WITH_PIXELS})::float8
        / nullif(sum(d."imagePixels") FILTER (WHERE ${WITH_PIXELS}), 0)::float8 * 1e6 AS "inputTokensPerMegapixel",
      coalesce(sum(d."estimatedInputTokens") FILTER (WHERE ${COMPARABLE}), 0)::float8 AS "estimatedInputTokens",
      100 * (sum(d."estimatedInputTokens") FILTER (WHERE ${COMPARABLE}) - sum(d."inputTokens") FILTER (WHERE ${COMPARABLE}))::float8
        / nullif(sum(d."inputTokens") FILTER (WHERE ${COMPARABLE}), 0)::float8 AS "estimateErrorPct",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY 100 * abs(d."estimatedInputTokens" - d."inputTokens")::float8 / d."inputTokens")
        FILTER (WHERE ${COMPARABLE}) AS "estimateAbsErrorP95Pct"`;

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Those columns of a summary row, as UsageBucket has them. */
export function visionAnalytics(row: Record<string, unknown>) {
  return {
    megapixels: Number(row.megapixels),
    inputTokensPerMegapixel: numberOrNull(row.inputTokensPerMegapixel),
    estimatedInputTokens: Number(row.estimatedInputTokens),
    estimateErrorPct: numberOrNull(row.estimateErrorPct),
    estimateAbsErrorP95Pct: numberOrNull(row.estimateAbsErrorP95Pct),
  };
}
