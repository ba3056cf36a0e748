import { Prisma } from '../generated/prisma/client.js';
import type { DescriptionFailure, DescriptionSuccess } from './DescriptionRecord.js';
import { storableText } from './storableText.js';
import { SETTLE_BUDGET_CTE } from './budgetSql.js';
import { attemptColumnsSql } from './attemptColumnsSql.js';

const { sql } = Prisma;

/**
 * Which rows a completion may write: a PENDING row, and one a recovery sweep closed as
 * INTERRUPTED meanwhile. The sweep closes the rows of a lease that ran out, which a live
 * process cut off from the database also lets happen; when its answer arrives (or is replayed
 * from its completion journal) it is what really happened, and the sweep released the row's
 * reservation (see closeOrphanedSql), so settling the full cost counts it once.
 */
const COMPLETABLE = sql`("status" = 'PENDING' OR ("status" = 'FAILED' AND "errorCode" = 'INTERRUPTED'))`;

/**
 * The completion in one statement. Only an open row (COMPLETABLE) is completed, so an outcome
 * can never overwrite another; RETURNING gives back what the database made of the values (the cost
 * at the column's scale), which is what history will show. The same statement settles the
 * row's budget reservation, so spend and ledger never disagree.
 */
export function succeedSql(id: string, outcome: DescriptionSuccess, completedAt: Date): Prisma.Sql {
  return sql`WITH done AS (UPDATE "description_request" SET "status" = 'SUCCEEDED', "text" = ${storableText(outcome.text)},
      "stopReason" = ${storableText(outcome.stopReason) ?? null}, ${attemptColumnsSql(outcome.usage, outcome)},
      "costUsd" = ${outcome.costUsd}::numeric, "latencyMs" = ${outcome.latencyMs}::int,
      "modelLatencyMs" = ${outcome.modelLatencyMs ?? null}::int, "bedrockRequestId" = ${storableText(outcome.bedrockRequestId) ?? null},
      "completedAt" = ${completedAt}::timestamptz
    WHERE "id" = ${id}::uuid AND ${COMPLETABLE}
    RETURNING "costUsd", "reservedUsd", "apiKeyId", "createdAt")
    ${SETTLE_BUDGET_CTE}
    SELECT trim_scale("costUsd")::text AS "costUsd" FROM done`;
}

export function failSql(id: string, failure: DescriptionFailure, completedAt: Date): Prisma.Sql {
  return sql`WITH done AS (UPDATE "description_request" SET "status" = 'FAILED', "errorCode" = ${failure.code},
      "errorMessage" = ${storableText(failure.message)}, "text" = ${storableText(failure.partialText) ?? null},
      "latencyMs" = ${failure.latencyMs ?? null}::int, "bedrockRequestId" = ${storableText(failure.bedrockRequestId) ?? null},
      ${attemptColumnsSql(failure.usage ?? {}, failure)}, "costUsd" = ${failure.costUsd ?? null}::numeric,
      "completedAt" = ${completedAt}::timestamptz
    WHERE "id" = ${id}::uuid AND ${COMPLETABLE}
    RETURNING "id", "costUsd", "reservedUsd", "apiKeyId", "createdAt")
    ${SETTLE_BUDGET_CTE}
    SELECT "id" FROM done`;
}
