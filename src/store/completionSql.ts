import { Prisma } from '../generated/prisma/client.js';
import type { AttemptTotals } from './accountAttempts.js';
import type { RunState } from './completeRun.js';
import type { DescriptionFailure, DescriptionSuccess, LedgerAttempt } from './DescriptionRecord.js';
import { storableText } from './storableText.js';
import { SETTLE_BUDGET_CTE, spentUsd } from './budgetSql.js';
import { attemptColumnsSql } from './attemptColumnsSql.js';

/** The accounting a completion settles by: its cost, and its attempts' costs for when that is unknown. */
type Accounting = Pick<DescriptionSuccess, 'attempts'> & { readonly costUsd: string | null };

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
 * The row and run a completion is for. A retry that reopens the row starts the next run, so a
 * late answer of the run before it can no longer complete the row (see completeRun); and a run
 * completes only while the row holds the attempts it began with, since an overtaken run adds its
 * own to the row (addAttemptsSql) and the outcome must then be counted again. `attemptsBefore`
 * absent: not checked (an outcome that carries no attempts).
 */
export interface CompletionTarget {
  readonly id: string;
  readonly run: number;
  readonly attemptsBefore: number | undefined;
}

function targetSql({ id, run, attemptsBefore }: CompletionTarget): Prisma.Sql {
  return sql`"id" = ${id}::uuid AND ${COMPLETABLE} AND "run" = ${run}::int
    AND (${attemptsBefore ?? null}::int IS NULL OR jsonb_array_length("attempts") = ${attemptsBefore ?? null}::int)`;
}

/**
 * The completion in one statement. Only an open row (COMPLETABLE) of this run is completed, so
 * an outcome can never overwrite another; RETURNING gives back what the database made of the
 * values (the cost at the column's scale), which is what history will show. The same statement
 * settles the row's budget reservation, so spend and ledger never disagree.
 *
 * The row is locked first (`target`) to read the reservation it holds at that moment: the settle
 * moves the spend from it to what the spend counts for the row (spentUsd), and the row's
 * reservedUsd becomes that. A repeat of the same completion (a row a run closed INTERRUPTED stays
 * completable) then settles nothing more. FOR UPDATE, not the statement's snapshot: a sweep that
 * released the reservation just before must be seen.
 */
function completeSql(target: CompletionTarget, columns: Prisma.Sql, accounting: Accounting): Prisma.Sql {
  const { costUsd } = accounting;
  const spent = spentUsd(accounting);
  return sql`WITH target AS (SELECT "id", "reservedUsd" FROM "description_request" WHERE ${targetSql(target)} FOR UPDATE),
    done AS (UPDATE "description_request" d SET ${columns}, "costUsd" = ${costUsd}::numeric,
        "reservedUsd" = CASE WHEN t."reservedUsd" IS NULL THEN NULL ELSE ${spent}::numeric END
      FROM target t WHERE d."id" = t."id"
      RETURNING d."costUsd", ${spent}::numeric AS "spentUsd", t."reservedUsd", d."apiKeyId", d."createdAt", d."runStartedAt")
    ${SETTLE_BUDGET_CTE}
    SELECT trim_scale("costUsd")::text AS "costUsd" FROM done`;
}

export function succeedSql(target: CompletionTarget, outcome: DescriptionSuccess, completedAt: Date): Prisma.Sql {
  const columns = sql`"status" = 'SUCCEEDED', "text" = ${storableText(outcome.text)},
      "stopReason" = ${storableText(outcome.stopReason) ?? null}, ${attemptColumnsSql(outcome.usage, outcome)},
      "latencyMs" = ${outcome.latencyMs}::int, "modelLatencyMs" = ${outcome.modelLatencyMs ?? null}::int,
      "bedrockRequestId" = ${storableText(outcome.bedrockRequestId) ?? null}, "completedAt" = ${completedAt}::timestamptz`;
  return completeSql(target, columns, outcome);
}

export function failSql(target: CompletionTarget, failure: DescriptionFailure, completedAt: Date): Prisma.Sql {
  const columns = sql`"status" = 'FAILED', "errorCode" = ${failure.code},
      "errorMessage" = ${storableText(failure.message)}, "text" = ${storableText(failure.partialText) ?? null},
      "latencyMs" = ${failure.latencyMs ?? null}::int, "bedrockRequestId" = ${storableText(failure.bedrockRequestId) ?? null},
      ${attemptColumnsSql(failure.usage ?? {}, failure)}, "completedAt" = ${completedAt}::timestamptz`;
  return completeSql(target, columns, { attempts: failure.attempts, costUsd: failure.costUsd ?? null });
}

/** The row's RunState, for a completion that wrote nothing (a later run holds the row, or attempts were added). */
export function runStateSql(id: string): Prisma.Sql {
  return sql`SELECT "id", "run", "status", ${COMPLETABLE} AS "completable", "attempts", "usageKnown"
    FROM "description_request" WHERE "id" = ${id}::uuid`;
}

/**
 * Adds the attempts of a run that a retry overtook (`added`) to its row, so what Bedrock billed
 * for them stays on the ledger: `totals` counts the row's attempts and these together. Only if
 * the row is still as `state` saw it (same run, status and number of attempts); otherwise
 * nothing, and the caller reads it again. A PENDING row takes the attempts alone: the run
 * holding it counts them in when it completes (its own completion then finds more attempts than
 * it began with). A completed row takes the new totals, and its key's spend grows by what the
 * added attempts are known to have cost, in the same statement: never less, even when their
 * usage is unknown and the row's cost becomes unknown with it.
 */
export function addAttemptsSql(state: RunState, totals: AttemptTotals, added: readonly LedgerAttempt[]): Prisma.Sql {
  const unchanged = sql`"id" = ${state.id}::uuid AND "run" = ${state.run}::int
    AND "status" = ${state.status}::"DescriptionStatus" AND jsonb_array_length("attempts") = ${state.attempts.length}::int`;
  if (state.status === 'PENDING') {
    return sql`UPDATE "description_request" SET "attempts" = ${JSON.stringify(totals.attempts)}::jsonb
      WHERE ${unchanged} RETURNING "id"`;
  }
  const addedCost = sql`${spentUsd({ attempts: added, costUsd: null })}::numeric`;
  // reservedUsd grows by the same amount: on a row a sweep closed it is what the spend holds for the row,
  // which the run holding it settles against when it completes (otherwise the added cost would count twice).
  return sql`WITH done AS (UPDATE "description_request" SET ${attemptColumnsSql(totals.usage, totals)},
        "costUsd" = ${totals.costUsd}::numeric, "reservedUsd" = "reservedUsd" + ${addedCost}
      WHERE ${unchanged}
      RETURNING ${addedCost} AS "spentUsd", CASE WHEN "reservedUsd" IS NULL THEN NULL ELSE 0 END AS "reservedUsd",
        "apiKeyId", "createdAt", "runStartedAt")
    ${SETTLE_BUDGET_CTE}
    SELECT 1 AS "added" FROM done`;
}
