import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { completeRun } from './completeRun.js';
import type { DriverQuery } from './DriverQuery.js';
import type {
  DescriptionFailure,
  DescriptionRecord,
  DescriptionSuccess,
  FailedDescription,
  ImageRecord,
  NewDescription,
  PendingDescription,
  SucceededDescription,
} from './DescriptionRecord.js';
import { readLedgerRecords } from './ledgerRowsSql.js';
import { pendingRecord } from './pendingRecord.js';
import { writeAheadSql } from './writeAheadSql.js';
import { budgetRefusal } from './budgetRefusal.js';
import { closeOrphanedSql } from './closeOrphanedSql.js';
import { closeUnansweredSql, type UnansweredWrite } from './closeUnansweredSql.js';
import { isDatabaseUnavailable } from './isDatabaseUnavailable.js';
import { reopenSql } from './reopenSql.js';
import { cachedCopySql, type CachedCopyRow } from './cacheSql.js';
import { cachedRecord } from './cachedRecord.js';
import { failedRecord, pendingAgain, succeededRecord } from './completedRecord.js';
import { OPEN_MODE_KEY_ID, scopeSql, type LedgerScope } from './ledgerScope.js';

/** Raised when a clientRequestId is already taken by another row (a replay or a race). */
export class DuplicateClientRequestIdError extends Error {
  override readonly name = 'DuplicateClientRequestIdError';
}

/** What a deletion removed: the rows, and the images no request uses any more (whose bytes can go too). */
export interface Deletion {
  readonly requests: number;
  readonly orphanedImages: readonly string[];
}

export interface DescriptionRepository {
  /**
   * Write-ahead: commits the PENDING row (and its images) before the model is called, in one
   * round trip, and returns the record as history will show it. Throws
   * DuplicateClientRequestIdError, having written nothing, when the clientRequestId is taken.
   * When the database does not answer, the row may still be committed later: see closeUnanswered.
   */
  createPending(input: NewDescription): Promise<PendingDescription>;
  /**
   * The exact-request cache: when the same API key had the same request answered within
   * `ttlSeconds`, writes a SUCCEEDED copy of that answer as the new row (cost 0, pointing at its
   * source) and returns it; null when there is no such answer or the clientRequestId is taken.
   */
  createFromCache(input: NewDescription, ttlSeconds: number): Promise<SucceededDescription | null>;
  /**
   * Completes the PENDING row of this run, in one statement unless the row changed under it, and
   * returns it as written without reading it back. `outcome`'s attempts are the row's attempts
   * followed by this run's. A run a retry overtook adds its attempts to the row and is refused
   * with REQUEST_IN_PROGRESS (see completeRun, isOvertaken).
   */
  succeed(pending: PendingDescription, outcome: DescriptionSuccess): Promise<SucceededDescription>;
  fail(pending: PendingDescription, failure: DescriptionFailure): Promise<FailedDescription>;
  /** The row, if `scope` may see it: another key's row reads exactly like one that does not exist. */
  findById(id: string, scope: LedgerScope): Promise<DescriptionRecord | null>;
  /**
   * A new attempt of a request that failed with a retryable code (RETRYABLE_FAILURE_CODES): the row
   * is PENDING again, this instance's, its budget reserved again. Null when another retry won the row.
   * When the database does not answer, the row may still be reopened later: see closeUnanswered.
   */
  reopen(failed: FailedDescription): Promise<PendingDescription | null>;
  /** Idempotency keys are per API key. */
  findByClientRequestId(apiKeyId: string, clientRequestId: string): Promise<DescriptionRecord | null>;
  /** The image, if a row `scope` may see sent it. */
  findImage(sha256: string, scope: LedgerScope): Promise<ImageRecord | null>;
  /** Deletes one finished request (a PENDING one is refused: its outcome is still to be written). */
  deleteDescription(id: string, scope: LedgerScope): Promise<Deletion>;
  /** Deletes finished requests created before `before`, in batches, and the images left unused. */
  purgeBefore(before: Date, batchSize?: number): Promise<Deletion>;
  /**
   * Closes as FAILED with `code` the PENDING rows whose process is gone (its lease ran out), and
   * rows from before leases once older than `legacyCutoff`; returns how many.
   */
  closeOrphaned(code: string, message: string, legacyCutoff: Date): Promise<number>;
  /**
   * Closes as FAILED SERVICE_UNAVAILABLE the rows this instance's createPending or reopen was told
   * had failed (the database did not answer: a frozen server, a lost connection) but that the
   * database committed afterwards, when it thawed: PENDING under a live lease, no sweep of
   * closeOrphaned would ever close them, and their reservation would count for the life of the
   * process. Releases their reservation; returns how many it closed. Such writes are remembered in
   * memory for UNANSWERED_TTL_MS (a late commit lands within seconds of the thaw), at most
   * MAX_UNANSWERED of them. The recovery sweep calls it.
   */
  closeUnanswered(): Promise<number>;
}

/** How long a write the database did not answer is watched for a late commit: one lands within seconds of the thaw. */
const UNANSWERED_TTL_MS = 10 * 60_000;
/**
 * Every request of an outage leaves one: past this many the oldest are forgotten, and a row of
 * theirs that landed stays PENDING until this process stops (its lease then lapses and a sweep
 * closes it INTERRUPTED).
 */
const MAX_UNANSWERED = 10_000;

/**
 * The ledger's writes and point reads. The request path (write-ahead, completion) runs on
 * the database driver with hand-written statements, one round trip each; the rest goes
 * through Prisma.
 */
export function createDescriptionRepository(
  prisma: PrismaClient,
  driver: DriverQuery,
  /** The lease this process holds: every row it writes names it as the owner. */
  instanceId: string | null,
  warn: (message: string) => void = () => {},
): DescriptionRepository {
  // Writes the database may have committed without answering, by row id, in the order they failed.
  // Keyed by row and start: two unanswered reopens of one row are two statements, either may land.
  const unanswered = new Map<string, UnansweredWrite & { readonly at: number }>();
  const keyOf = (write: UnansweredWrite) => `${write.id}@${write.startedAt.toISOString()}`;
  let overflowing = false;
  const rememberUnanswered = (error: unknown, write: UnansweredWrite) => {
    // Without a lease the row names no owner, and closeOrphaned's legacy rule closes it in time.
    if (instanceId === null || !isDatabaseUnavailable(error)) return;
    unanswered.set(keyOf(write), { ...write, at: Date.now() });
    if (unanswered.size <= MAX_UNANSWERED) return;
    unanswered.delete(unanswered.keys().next().value!);
    // Once per overflow: an outage fails every request, and one line per request would drown the log.
    if (!overflowing) {
      warn(
        `more than ${MAX_UNANSWERED} ledger writes went unanswered: the oldest are forgotten, and a row of theirs ` +
          'the database committed late stays PENDING until this process stops',
      );
    }
    overflowing = true;
  };

  /**
   * Images no request links to any more; returns their sha256 so stored bytes can be removed.
   * A request that reuses such an image in the same instant can lose the race and fail with a
   * foreign-key error while writing its PENDING row: before any model call, so nothing is spent.
   */
  const deleteOrphanedImages = async (): Promise<string[]> => {
    const rows = await prisma.$queryRaw<{ sha256: string }[]>`
      DELETE FROM "image" i
      WHERE NOT EXISTS (SELECT 1 FROM "description_image" di WHERE di."imageSha256" = i."sha256")
      RETURNING i."sha256"`;
    return rows.map((r) => r.sha256);
  };

  const findWhere = async (condition: Prisma.Sql): Promise<DescriptionRecord | null> => {
    const [record] = await readLedgerRecords(
      driver,
      Prisma.sql`SELECT d."id" FROM "description_request" d WHERE ${condition}`,
    );
    return record ?? null;
  };
  const findById = (id: string, scope: LedgerScope) =>
    findWhere(Prisma.sql`d."id" = ${id}::uuid AND ${scopeSql(scope)}`);

  return {
    async createPending(input) {
      // One instant for the request and its image links, which keep a copy for the image filter.
      const createdAt = input.createdAt ?? new Date();
      const budgeted = input.apiKeyId !== OPEN_MODE_KEY_ID;
      let written: { estimatedCostUsd: string | null } | undefined;
      try {
        [written] = await driver<{ estimatedCostUsd: string | null }>(writeAheadSql(input, createdAt, instanceId), {
          prepareAs: budgeted ? 'bvg_write_ahead_budgeted' : 'bvg_write_ahead',
        });
      } catch (error) {
        rememberUnanswered(error, { id: input.id, run: 1, startedAt: createdAt });
        throw budgetRefusal(error, createdAt) ?? error;
      }
      if (written === undefined) {
        throw new DuplicateClientRequestIdError(`clientRequestId ${input.clientRequestId} is taken`);
      }
      return pendingRecord(input, createdAt, written.estimatedCostUsd);
    },

    async createFromCache(input, ttlSeconds) {
      const createdAt = input.createdAt ?? new Date();
      const [row] = await driver<CachedCopyRow>(cachedCopySql(input, createdAt, ttlSeconds));
      return row === undefined || !row.written ? null : cachedRecord(input, createdAt, row);
    },

    async reopen(failed) {
      // Also what tells this statement's run from a retry's (see closeUnansweredSql).
      const startedAt = new Date();
      let written: unknown;
      try {
        [written] = await driver(reopenSql(failed, instanceId, startedAt));
      } catch (error) {
        rememberUnanswered(error, { id: failed.id, run: failed.run + 1, startedAt });
        throw budgetRefusal(error, startedAt) ?? error;
      }
      if (written === undefined) return null;
      return pendingAgain(failed);
    },

    async succeed(pending, outcome) {
      const completedAt = new Date();
      const written = await completeRun(driver, pending, { kind: 'succeed', outcome } as const, completedAt);
      return succeededRecord(pending, written.completion.outcome, written.costUsd, completedAt);
    },

    async fail(pending, failure) {
      const completedAt = new Date();
      const written = await completeRun(driver, pending, { kind: 'fail', failure } as const, completedAt);
      return failedRecord(pending, { ...written.completion.failure, costUsd: written.costUsd }, completedAt);
    },

    findById,

    findByClientRequestId(apiKeyId, clientRequestId) {
      return findWhere(Prisma.sql`d."apiKeyId" = ${apiKeyId}::uuid AND d."clientRequestId" = ${clientRequestId}`);
    },

    async findImage(sha256, scope) {
      const [image] = await driver<ImageRecord>(Prisma.sql`SELECT i."sha256", i."mediaType", i."byteSize", i."width",
          i."height", i."createdAt"
        FROM "image" i
        WHERE i."sha256" = ${sha256} AND (${scope === 'ALL'} OR EXISTS (
          SELECT 1 FROM "description_image" di JOIN "description_request" d ON d."id" = di."descriptionId"
          WHERE di."imageSha256" = i."sha256" AND ${scopeSql(scope)}))`);
      return image ?? null;
    },

    async deleteDescription(id, scope) {
      const { count } = await prisma.descriptionRequest.deleteMany({
        where: { id, status: { not: 'PENDING' }, ...(scope === 'ALL' ? {} : { apiKeyId: scope.apiKeyId }) },
      });
      return { requests: count, orphanedImages: count > 0 ? await deleteOrphanedImages() : [] };
    },

    async purgeBefore(before, batchSize = 1000) {
      let requests = 0;
      for (;;) {
        // Small batches keep each transaction short on a large ledger.
        const batch = await prisma.descriptionRequest.findMany({
          where: { createdAt: { lt: before }, status: { not: 'PENDING' } },
          select: { id: true },
          take: batchSize,
        });
        if (batch.length === 0) break;
        const { count } = await prisma.descriptionRequest.deleteMany({ where: { id: { in: batch.map((r) => r.id) } } });
        requests += count;
      }
      return { requests, orphanedImages: requests > 0 ? await deleteOrphanedImages() : [] };
    },

    async closeOrphaned(code, message, legacyCutoff) {
      return (await driver<{ id: string }>(closeOrphanedSql(code, message, legacyCutoff))).length;
    },

    async closeUnanswered() {
      if (instanceId === null || unanswered.size === 0) return 0;
      const watched = [...unanswered.values()];
      const closed = await driver<{ id: string }>(closeUnansweredSql(watched, instanceId));
      // Forgotten only once the statement ran: a sweep that fails while the database is still frozen
      // must not age out a write that will land when it thaws.
      const closedIds = new Set(closed.map((row) => row.id));
      const oldest = Date.now() - UNANSWERED_TTL_MS;
      for (const entry of watched) {
        if (closedIds.has(entry.id) || entry.at < oldest) unanswered.delete(keyOf(entry));
      }
      if (unanswered.size < MAX_UNANSWERED) overflowing = false;
      return closed.length;
    },
  };
}
