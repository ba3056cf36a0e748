import { Prisma } from '../generated/prisma/client.js';
import type { DriverQuery } from './DriverQuery.js';

const { sql } = Prisma;

/** One model's evidence for calibrating the input-token estimate: its comparable rows and their sums. */
export interface EstimateSample {
  readonly baseModelId: string;
  /** Rows whose estimate can be set against Bedrock's count (see estimateSamplesSql). */
  readonly requests: number;
  /** Σ Bedrock's inputTokens over those rows. */
  readonly inputTokens: number;
  /** Σ the stored estimatedInputTokens (the rule's estimate, before calibration) over the same rows. */
  readonly estimatedInputTokens: number;
}

/**
 * Per base model, among the newest `maxRows` rows of the last `windowDays` days (by the database's
 * clock), the SUCCEEDED ones whose input count is one call's count of the whole prompt: usage known,
 * not served from the cache (those copy another row's usage and bill nothing), at most one billed
 * attempt (inputTokens sums the billed attempts), and no prompt-cache tokens (Bedrock counts those
 * apart from inputTokens). Grouped by base model, not by family, so that the family rule lives in
 * one place (bedrock's modelFamily). Read off the request path, at start-up and every
 * ESTIMATE_CALIBRATION_INTERVAL_MS. The bound is taken first, on the newest-first index, and the
 * filters after it: with the filters inside, the planner misjudged how many rows pass them and read
 * the whole window (1.9 s for a million rows on PostgreSQL, against 0.11 s this way).
 */
export function estimateSamplesSql(windowDays: number, maxRows: number): Prisma.Sql {
  return sql`SELECT d."baseModelId", count(*)::int AS "requests",
      sum(d."inputTokens")::text AS "inputTokens", sum(d."estimatedInputTokens")::text AS "estimatedInputTokens"
    FROM (SELECT d."baseModelId", d."status", d."usageKnown", d."cachedFromId", d."inputTokens",
        d."estimatedInputTokens", d."cacheReadInputTokens", d."cacheWriteInputTokens", d."attempts"
      FROM "description_request" d
      WHERE d."createdAt" >= now() - ${windowDays}::int * interval '1 day'
      ORDER BY d."createdAt" DESC, d."id" DESC
      LIMIT ${maxRows}::int) d
    WHERE d."status" = 'SUCCEEDED' AND d."usageKnown" AND d."cachedFromId" IS NULL
      AND d."inputTokens" > 0 AND d."estimatedInputTokens" > 0
      AND coalesce(d."cacheReadInputTokens", 0) = 0 AND coalesce(d."cacheWriteInputTokens", 0) = 0
      AND (SELECT count(*) FROM jsonb_array_elements(d."attempts") AS a WHERE a->>'billed' = 'true') <= 1
    GROUP BY d."baseModelId"`;
}

/** Runs estimateSamplesSql; sums come back as text (bigint on both drivers alike) and are read as numbers. */
export async function readEstimateSamples(
  driver: DriverQuery,
  windowDays: number,
  maxRows: number,
): Promise<EstimateSample[]> {
  const rows = await driver<{
    baseModelId: string;
    requests: number;
    inputTokens: string;
    estimatedInputTokens: string;
  }>(estimateSamplesSql(windowDays, maxRows));
  return rows.map((row) => ({
    baseModelId: row.baseModelId,
    requests: row.requests,
    inputTokens: Number(row.inputTokens),
    estimatedInputTokens: Number(row.estimatedInputTokens),
  }));
}
