import { Prisma } from '../generated/prisma/client.js';
import { SETTLE_BUDGET_CTE, spentForRowSql } from './budgetSql.js';

const { sql } = Prisma;

/** A row and run this instance sent a write-ahead or a reopen for and got no answer about. */
export interface UnansweredWrite {
  readonly id: string;
  readonly run: number;
  /**
   * The instant the statement wrote as the run's start (createdAt for run 1, runStartedAt for a
   * reopen): what tells the unanswered statement's run from a retry that reopened the row to the
   * same run number meanwhile, which is a live call that must not be closed.
   */
  readonly startedAt: Date;
}

/** What a row closed by closeUnansweredSql says: the client was told SERVICE_UNAVAILABLE, and nothing ran. */
export const UNANSWERED_MESSAGE =
  'The database did not answer in time when this request was written; the model was not called. Send it again';

/**
 * Closes as FAILED SERVICE_UNAVAILABLE the rows of `writes` that the database committed after the
 * driver had stopped waiting (a frozen server thaws and runs what its socket buffer held): rows
 * still PENDING at that run and owned by this instance, which no other sweep closes since its
 * lease is live. The client was answered SERVICE_UNAVAILABLE and no model was called, so the
 * code is the one it was told, and retryable: the same clientRequestId reopens the row. The run
 * added no attempt, so the row keeps the cost and usageKnown its earlier runs recorded (for run 1:
 * null and true). The reservation is released as closeOrphanedSql releases it: `reservedUsd`
 * is left at what the spend still holds for the row.
 */
export function closeUnansweredSql(writes: readonly UnansweredWrite[], ownerInstanceId: string): Prisma.Sql {
  return sql`WITH old AS (
      SELECT d."id", d."reservedUsd" FROM "description_request" d
      JOIN unnest(${writes.map((w) => w.id)}::uuid[], ${writes.map((w) => w.run)}::int[],
          ${writes.map((w) => w.startedAt.toISOString())}::timestamptz[]) AS u("id", "run", "startedAt")
        ON d."id" = u."id" AND d."run" = u."run" AND COALESCE(d."runStartedAt", d."createdAt") = u."startedAt"
      WHERE d."status" = 'PENDING' AND d."ownerInstanceId" = ${ownerInstanceId}::uuid
      FOR UPDATE OF d SKIP LOCKED
    ), done AS (
      UPDATE "description_request" d SET "status" = 'FAILED', "errorCode" = 'SERVICE_UNAVAILABLE',
        "errorMessage" = ${UNANSWERED_MESSAGE}, "completedAt" = now(),
        "reservedUsd" = CASE WHEN o."reservedUsd" IS NULL THEN NULL ELSE ${spentForRowSql('d')} END
      FROM old o WHERE d."id" = o."id" AND d."status" = 'PENDING'
      RETURNING d."id", ${spentForRowSql('d')} AS "spentUsd", o."reservedUsd", d."apiKeyId", d."createdAt", d."runStartedAt"
    )
    ${SETTLE_BUDGET_CTE}
    SELECT "id" FROM done`;
}
