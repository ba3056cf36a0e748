import { Prisma } from '../generated/prisma/client.js';
import type { DescriptionFailure, DescriptionSuccess } from './DescriptionRecord.js';

const { sql } = Prisma;

/**
 * The completion in one statement. Only a PENDING row is completed, so an outcome can never
 * overwrite another; RETURNING gives back what the database made of the values (the cost
 * at the column's scale), which is what history will show.
 */
export function succeedSql(id: string, outcome: DescriptionSuccess, completedAt: Date): Prisma.Sql {
  const { usage } = outcome;
  return sql`UPDATE "description_request" SET "status" = 'SUCCEEDED', "text" = ${outcome.text},
      "stopReason" = ${outcome.stopReason ?? null}, "inputTokens" = ${usage.inputTokens}::int,
      "outputTokens" = ${usage.outputTokens}::int, "totalTokens" = ${usage.totalTokens}::int,
      "cacheReadInputTokens" = ${usage.cacheReadInputTokens ?? null}::int,
      "cacheWriteInputTokens" = ${usage.cacheWriteInputTokens ?? null}::int,
      "costUsd" = ${outcome.costUsd}::numeric, "latencyMs" = ${outcome.latencyMs}::int,
      "modelLatencyMs" = ${outcome.modelLatencyMs ?? null}::int, "bedrockRequestId" = ${outcome.bedrockRequestId ?? null},
      "completedAt" = ${completedAt}::timestamptz
    WHERE "id" = ${id}::uuid AND "status" = 'PENDING'
    RETURNING trim_scale("costUsd")::text AS "costUsd"`;
}

export function failSql(id: string, failure: DescriptionFailure, completedAt: Date): Prisma.Sql {
  return sql`UPDATE "description_request" SET "status" = 'FAILED', "errorCode" = ${failure.code},
      "errorMessage" = ${failure.message}, "text" = ${failure.partialText ?? null},
      "latencyMs" = ${failure.latencyMs ?? null}::int, "bedrockRequestId" = ${failure.bedrockRequestId ?? null},
      "completedAt" = ${completedAt}::timestamptz
    WHERE "id" = ${id}::uuid AND "status" = 'PENDING'
    RETURNING "id"`;
}
