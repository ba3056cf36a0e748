import { Prisma } from '../generated/prisma/client.js';
import { budgetGuardSql, reserveBudgetCte, spentForRowSql } from './budgetSql.js';
import type { FailedDescription } from './DescriptionRecord.js';
import { OPEN_MODE_KEY_ID } from './ledgerScope.js';

const { sql } = Prisma;

/** Failures that say nothing about the request itself: the same request may be tried again under its key. */
export const RETRYABLE_FAILURE_CODES: readonly string[] = Object.freeze([
  'UPSTREAM_THROTTLED',
  'UPSTREAM_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERRUPTED',
]);

/**
 * A new attempt of a request whose first attempt failed with a retryable code: its row goes
 * back to PENDING as the next run, owned by this instance, in one statement that also takes
 * the budget reservation again (the failure released it), against the day it runs, `at`
 * (runStartedAt; the settle follows it), not the day the row was first written. What earlier runs cost is in the
 * key's spend already, so the row's reservedUsd counts it too: the next settle moves spend by
 * the new run's cost against its reservation only, never by the earlier runs' cost again. It returns nothing if the row is no
 * longer that run's failure (a concurrent retry reopened it first), so only one retry runs.
 */
export function reopenSql(failed: FailedDescription, ownerInstanceId: string | null, at: Date): Prisma.Sql {
  const budgeted = failed.apiKeyId !== OPEN_MODE_KEY_ID;
  const reservation = failed.estimatedCostUsd;
  return sql`WITH req AS (
      UPDATE "description_request" SET "status" = 'PENDING', "errorCode" = NULL, "errorMessage" = NULL,
        "text" = NULL, "latencyMs" = NULL, "bedrockRequestId" = NULL, "completedAt" = NULL,
        "ownerInstanceId" = ${ownerInstanceId}::uuid, "reservedUsd" = ${budgeted ? (reservation ?? '0') : null}::numeric + ${spentForRowSql('"description_request"')},
        "run" = "run" + 1, "runStartedAt" = ${at}::timestamptz
      WHERE "id" = ${failed.id}::uuid AND "run" = ${failed.run}::int AND "status" = 'FAILED'
        AND "errorCode" = ANY(${[...RETRYABLE_FAILURE_CODES]}::text[])
      RETURNING "id", trim_scale("estimatedCostUsd")::text AS "estimatedCostUsd"
    )
    ${budgeted ? reserveBudgetCte(failed.apiKeyId, reservation, at) : sql``}
    SELECT "estimatedCostUsd"${budgeted ? sql`, ${budgetGuardSql(failed.apiKeyId, reservation, at)} AS "refused"` : sql``}
    FROM req`;
}
