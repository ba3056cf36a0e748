import { completeUsage, type VisionUsage } from '../bedrock/index.js';
import { Prisma } from '../generated/prisma/client.js';
import type { LedgerAttempt } from './DescriptionRecord.js';

/** The ledger columns of a row's attempts and run, usage honesty and cache origin. */
export const ATTEMPT_RECORD_COLUMNS = Prisma.sql`d."attempts", d."run", d."usageKnown", d."cachedFromId",
  trim_scale(d."savedUsd")::text AS "savedUsd"`;

/** Those columns as the drivers return them (both decode jsonb). */
export interface AttemptRow {
  readonly attempts: unknown;
  readonly run: number;
  readonly usageKnown: boolean;
  readonly cachedFromId: string | null;
  readonly savedUsd: string | null;
}

/** The token columns a completed row's usage is read from. */
interface TokenColumns {
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly totalTokens: number | null;
  readonly cacheReadInputTokens: number | null;
  readonly cacheWriteInputTokens: number | null;
}

/** The attempts column as records (a JSON array the completion wrote; rows from before attempts hold []). */
export function ledgerAttempts(row: Pick<AttemptRow, 'attempts'>): readonly LedgerAttempt[] {
  return Array.isArray(row.attempts) ? (row.attempts as LedgerAttempt[]) : [];
}

/** A completed row's usage: whole when both priced counts are there, else null (see usageKnown). */
export function rowUsage(row: TokenColumns): VisionUsage | null {
  const counts = {
    inputTokens: row.inputTokens ?? undefined,
    outputTokens: row.outputTokens ?? undefined,
    totalTokens: row.totalTokens ?? undefined,
    cacheReadInputTokens: row.cacheReadInputTokens ?? undefined,
    cacheWriteInputTokens: row.cacheWriteInputTokens ?? undefined,
  };
  return completeUsage(counts);
}
