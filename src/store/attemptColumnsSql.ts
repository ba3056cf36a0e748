import { completeUsage, type TokenCounts } from '../bedrock/index.js';
import { Prisma } from '../generated/prisma/client.js';
import type { AttemptAccounting } from './DescriptionRecord.js';

const { sql } = Prisma;

/**
 * The SET list of a completion's usage, attempts and usageKnown. Input and output counts are kept
 * as far as they arrived (a stream cut after message_start keeps its input count); the total only
 * when both are there, so a row sorts and filters by total tokens only when it has one.
 */
export function attemptColumnsSql(usage: TokenCounts, accounting: AttemptAccounting): Prisma.Sql {
  const whole = completeUsage(usage);
  return sql`"inputTokens" = ${usage.inputTokens ?? null}::int, "outputTokens" = ${usage.outputTokens ?? null}::int,
    "totalTokens" = ${whole?.totalTokens ?? null}::int,
    "cacheReadInputTokens" = ${usage.cacheReadInputTokens ?? null}::int,
    "cacheWriteInputTokens" = ${usage.cacheWriteInputTokens ?? null}::int,
    "attempts" = ${JSON.stringify(accounting.attempts ?? [])}::jsonb, "usageKnown" = ${accounting.usageKnown ?? true}::boolean`;
}
