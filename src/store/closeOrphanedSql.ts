import { Prisma } from '../generated/prisma/client.js';
import { SETTLE_BUDGET_CTE, spentForRowSql } from './budgetSql.js';

const { sql } = Prisma;

/**
 * Closes PENDING rows whose process is gone as FAILED with `code`: rows whose owner's lease
 * ran out (or whose owner left no lease), and rows written before leases existed once older
 * than `legacyCutoff`. A live instance's rows are never selected, however long their call.
 * SKIP LOCKED lets several instances sweep at once without waiting on each other or on a
 * completion in progress. The released reservation leaves `reservedUsd` at what the spend still
 * holds for the row (the cost of earlier runs of a retried request, else 0), so an answer
 * replayed later from a completion journal settles the rest of its cost, and nothing twice.
 */
export function closeOrphanedSql(code: string, message: string, legacyCutoff: Date): Prisma.Sql {
  return sql`WITH old AS (
      SELECT d."id", d."reservedUsd" FROM "description_request" d
      WHERE d."status" = 'PENDING' AND (
        (d."ownerInstanceId" IS NULL AND d."createdAt" < ${legacyCutoff}::timestamptz)
        OR (d."ownerInstanceId" IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM "instance" i WHERE i."id" = d."ownerInstanceId" AND i."leaseUntil" > now())))
      FOR UPDATE OF d SKIP LOCKED
    ), done AS (
      UPDATE "description_request" d SET "status" = 'FAILED', "errorCode" = ${code}, "errorMessage" = ${message},
        "completedAt" = now(), "usageKnown" = false,
        "reservedUsd" = CASE WHEN o."reservedUsd" IS NULL THEN NULL ELSE ${spentForRowSql('d')} END
      FROM old o WHERE d."id" = o."id" AND d."status" = 'PENDING'
      RETURNING d."id", ${spentForRowSql('d')} AS "spentUsd", o."reservedUsd", d."apiKeyId", d."createdAt", d."runStartedAt"
    )
    ${SETTLE_BUDGET_CTE}
    SELECT "id" FROM done`;
}
