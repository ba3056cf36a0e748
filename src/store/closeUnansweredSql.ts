import { Prisma } from '../generated/prisma/client.js';
import { closePendingSql } from './closePendingSql.js';

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
 * null and true). The reservation is released as closePendingSql says.
 */
export function closeUnansweredSql(writes: readonly UnansweredWrite[], ownerInstanceId: string): Prisma.Sql {
  return closePendingSql(
    sql`FROM "description_request" d
      JOIN unnest(${writes.map((w) => w.id)}::uuid[], ${writes.map((w) => w.run)}::int[],
          ${writes.map((w) => w.startedAt.toISOString())}::timestamptz[]) AS u("id", "run", "startedAt")
        ON d."id" = u."id" AND d."run" = u."run" AND COALESCE(d."runStartedAt", d."createdAt") = u."startedAt"
      WHERE d."ownerInstanceId" = ${ownerInstanceId}::uuid`,
    { code: 'SERVICE_UNAVAILABLE', message: UNANSWERED_MESSAGE, usageUnknown: false },
  );
}
