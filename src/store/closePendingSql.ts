import { Prisma } from '../generated/prisma/client.js';
import { SETTLE_BUDGET_CTE, spentForRowSql } from './budgetSql.js';

const { sql } = Prisma;

/** How closePendingSql closes its rows: their code and message, and whether their usage becomes unknown. */
export interface PendingClosure {
  readonly code: string;
  readonly message: string;
  /** A call may have been billed and its usage never arrived (a sweep); false when no call was made. */
  readonly usageUnknown: boolean;
}

/**
 * Closes as FAILED, without an answer, the PENDING rows `candidates` selects (`FROM
 * "description_request" d`, with its conditions; the rows are locked here, SKIP LOCKED, so
 * several instances close at once without waiting on each other or on a completion in
 * progress), and releases their reservations in the same statement: `reservedUsd` is left at
 * what the spend still holds for the row (spentForRowSql: the cost of earlier runs of a retried
 * request, else 0), so an answer that arrives later settles the rest of its cost, and nothing
 * twice. Returns the ids closed.
 */
export function closePendingSql(candidates: Prisma.Sql, closure: PendingClosure): Prisma.Sql {
  return sql`WITH old AS (
      SELECT d."id", d."reservedUsd", ${spentForRowSql('d')} AS "spentUsd" ${candidates}
        AND d."status" = 'PENDING'
      FOR UPDATE OF d SKIP LOCKED
    ), done AS (
      UPDATE "description_request" d SET "status" = 'FAILED', "errorCode" = ${closure.code},
        "errorMessage" = ${closure.message}, "completedAt" = now(),
        "usageKnown" = ${closure.usageUnknown ? sql`false` : sql`d."usageKnown"`},
        "reservedUsd" = CASE WHEN o."reservedUsd" IS NULL THEN NULL ELSE o."spentUsd" END
      FROM old o WHERE d."id" = o."id" AND d."status" = 'PENDING'
      RETURNING d."id", o."spentUsd", o."reservedUsd", d."apiKeyId", d."createdAt", d."runStartedAt"
    )
    ${SETTLE_BUDGET_CTE}
    SELECT "id" FROM done`;
}
