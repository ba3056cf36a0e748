import { sumUsd } from '../bedrock/index.js';
import { Prisma } from '../generated/prisma/client.js';

const { sql } = Prisma;

/** The UTC day and month a request made at `createdAt` counts against. */
const day = (createdAt: Prisma.Sql) => sql`(${createdAt} AT TIME ZONE 'UTC')::date`;
const month = (createdAt: Prisma.Sql) => sql`date_trunc('month', ${createdAt} AT TIME ZONE 'UTC')::date`;

/**
 * The budget reservation, as a CTE of the write-ahead statement (after `req`): one
 * conditional UPDATE of the key's row, which adds the reservation to the day's and the
 * month's spend only if both still fit their limits and the key is not revoked. A request
 * whose cost cannot be estimated (`reservation` null: a model the catalog has no price for)
 * reserves nothing, and so is let through only for a key without a USD limit: otherwise any
 * number of billed calls would fit in a spent budget. Concurrent
 * requests of one key queue on that row's lock, and each re-checks the limits against the
 * spend the previous one left (READ COMMITTED re-evaluates the WHERE on the newest row), so
 * fifty requests racing for a budget that fits ten let ten through, on any number of servers.
 * A counter whose day or month has passed starts again from zero.
 */
export function reserveBudgetCte(apiKeyId: string, reservation: string | null, createdAt: Date): Prisma.Sql {
  const at = sql`${createdAt}::timestamptz`;
  const amount = sql`COALESCE(${reservation}::numeric, 0)`;
  // A counter only moves forward: one already on a later day than `at` (a statement that began
  // before midnight committing after one that began after it, or clocks of two instances that
  // disagree) keeps its day and spend, and the reservation counts there.
  const daySpent = sql`CASE WHEN k."dayStart" >= ${day(at)} THEN k."daySpentUsd" ELSE 0 END`;
  const monthSpent = sql`CASE WHEN k."monthStart" >= ${month(at)} THEN k."monthSpentUsd" ELSE 0 END`;
  return sql`, budget AS (
      UPDATE "api_key" k SET "dayStart" = GREATEST(k."dayStart", ${day(at)}), "daySpentUsd" = ${daySpent} + ${amount},
        "monthStart" = GREATEST(k."monthStart", ${month(at)}), "monthSpentUsd" = ${monthSpent} + ${amount}
      WHERE k."id" = ${apiKeyId}::uuid AND k."revokedAt" IS NULL AND EXISTS (SELECT 1 FROM req)
        AND (${reservation}::numeric IS NOT NULL OR (k."dailyUsd" IS NULL AND k."monthlyUsd" IS NULL))
        AND (k."dailyUsd" IS NULL OR ${daySpent} + ${amount} <= k."dailyUsd")
        AND (k."monthlyUsd" IS NULL OR ${monthSpent} + ${amount} <= k."monthlyUsd")
      RETURNING k."id"
    )`;
}

/**
 * The final SELECT's guard when a budget was reserved: a written row without its
 * reservation raises BVG01 (bvg_refuse, see the api_keys migration), which rolls back
 * the whole statement, row and images included. The reason names the bound that failed,
 * read from the snapshot (the message only; the UPDATE above decided). A request that lost a
 * race for the last of a budget may find neither bound exceeded in its snapshot (the UPDATE saw
 * the winners' spend, the snapshot does not): then it is the daily bound if the key has one, the
 * sooner of the two to reset, never the monthly one of a key that has none.
 */
export function budgetGuardSql(apiKeyId: string, reservation: string | null, createdAt: Date): Prisma.Sql {
  const at = sql`${createdAt}::timestamptz`;
  const amount = sql`COALESCE(${reservation}::numeric, 0)`;
  return sql`CASE WHEN NOT EXISTS (SELECT 1 FROM budget) THEN "bvg_refuse"((
      SELECT CASE WHEN k."revokedAt" IS NOT NULL THEN 'revoked'
        WHEN ${reservation}::numeric IS NULL THEN 'unpriced'
        WHEN k."dailyUsd" IS NOT NULL AND CASE WHEN k."dayStart" >= ${day(at)} THEN k."daySpentUsd" ELSE 0 END
          + ${amount} > k."dailyUsd" THEN 'daily'
        WHEN k."monthlyUsd" IS NOT NULL AND CASE WHEN k."monthStart" >= ${month(at)} THEN k."monthSpentUsd" ELSE 0 END
          + ${amount} > k."monthlyUsd" THEN 'monthly'
        WHEN k."dailyUsd" IS NOT NULL THEN 'daily'
        ELSE 'monthly' END
      FROM "api_key" k WHERE k."id" = ${apiKeyId}::uuid)) END`;
}

/**
 * What a key's spend counts for a row: what its attempts are known to have cost (the row's cost
 * whenever that is known; never less when something billed did not report its usage). Read from
 * the attempts themselves, since a PENDING row's cost column does not follow attempts an
 * overtaken run adds to it; a row from before attempts were recorded (none) counts its cost.
 * `row` is the table or alias whose columns to read. See spentUsd for the same in TypeScript.
 */
export function spentForRowSql(row: string): Prisma.Sql {
  const r = Prisma.raw(row);
  return sql`CASE WHEN jsonb_array_length(${r}."attempts") = 0 THEN COALESCE(${r}."costUsd", 0)
    ELSE (SELECT COALESCE(sum((a->>'costUsd')::numeric), 0) FROM jsonb_array_elements(${r}."attempts") a) END`;
}

/** spentForRowSql of a completion about to be written: its attempts' known costs, else its cost. */
export function spentUsd(accounting: {
  readonly attempts?: readonly { readonly costUsd: string | null }[] | undefined;
  readonly costUsd: string | null;
}): string {
  const attempts = accounting.attempts ?? [];
  if (attempts.length === 0) return accounting.costUsd ?? '0';
  return sumUsd(attempts.flatMap((attempt) => (attempt.costUsd === null ? [] : [attempt.costUsd])));
}

/**
 * Settles completed rows' reservations (a CTE after `done`, the completion's UPDATE RETURNING
 * "apiKeyId", "reservedUsd" (as it was), "spentUsd" (what the spend now counts for the row, see
 * spentForRowSql), "createdAt", "runStartedAt"): each key's day and month spend move from the
 * reservations to what is now counted. The reservation's day is its run's (runStartedAt, set when
 * a retry reopened the row), else the row's creation. Settled after its day or month has ended (a
 * late answer, a journal replayed after midnight), what a row adds beyond its reservation still
 * counts, in the current counter; what it gives back does not, since that counter never held the
 * reservation.
 *
 * `done` may hold several rows of one key (a sweep closes all of a dead instance's rows at once),
 * and an UPDATE joined to several source rows updates its target once, from any one of them: so
 * each key's row is updated once, by the sum of its rows' changes. The sum is read in SET, against
 * the key's row the UPDATE writes (under READ COMMITTED, the newest one, whose day a concurrent
 * reservation may have moved), not against the statement's snapshot of it. Rows without a
 * reservation (open mode) settle nothing and read no key: the planner filters `done` before it
 * looks up api_key, in the custom and the generic plan alike, so a condition on apiKeyId would
 * save nothing (test/auth/budgetSettle.test.ts counts the scans).
 */
const reservedOn = sql`COALESCE(s."runStartedAt", s."createdAt")`;
/** The sum of the rows' changes to a counter that starts on `start`, of rows reserved on `on`. */
const change = (start: Prisma.Sql, on: Prisma.Sql) => sql`sum(CASE WHEN ${start} = ${on}
    THEN s."spentUsd" - s."reservedUsd"
    WHEN ${start} > ${on} THEN GREATEST(s."spentUsd" - s."reservedUsd", 0) ELSE 0 END)`;
export const SETTLE_BUDGET_CTE = sql`, settle AS (
    UPDATE "api_key" k SET ("daySpentUsd", "monthSpentUsd") = (
      SELECT k."daySpentUsd" + ${change(sql`k."dayStart"`, day(reservedOn))},
        k."monthSpentUsd" + ${change(sql`k."monthStart"`, month(reservedOn))}
      FROM done s WHERE s."apiKeyId" = k."id" AND s."reservedUsd" IS NOT NULL)
    WHERE k."id" IN (SELECT "apiKeyId" FROM done WHERE "reservedUsd" IS NOT NULL)
  )`;
