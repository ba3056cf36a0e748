import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { failSql, succeedSql } from './completionSql.js';
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
   */
  createPending(input: NewDescription): Promise<PendingDescription>;
  /** Completes a PENDING row in one statement and returns it as written, without reading it back. */
  succeed(pending: PendingDescription, outcome: DescriptionSuccess): Promise<SucceededDescription>;
  fail(pending: PendingDescription, failure: DescriptionFailure): Promise<FailedDescription>;
  findById(id: string): Promise<DescriptionRecord | null>;
  findByClientRequestId(clientRequestId: string): Promise<DescriptionRecord | null>;
  findImage(sha256: string): Promise<ImageRecord | null>;
  /** Deletes one finished request (a PENDING one is refused: its outcome is still to be written). */
  deleteDescription(id: string): Promise<Deletion>;
  /** Deletes finished requests created before `before`, in batches, and the images left unused. */
  purgeBefore(before: Date, batchSize?: number): Promise<Deletion>;
  /** Closes PENDING rows older than `olderThan` as FAILED with `code`; returns how many. */
  failAbandoned(olderThan: Date, code: string, message: string): Promise<number>;
}

/** A completion found its row no longer PENDING: another writer closed it, or it was deleted. */
function notPending(id: string): Error {
  return new Error(`Ledger row ${id} was no longer PENDING when its outcome arrived`);
}

function withoutStatus({ status: _status, ...common }: PendingDescription) {
  return common;
}

/**
 * The ledger's writes and point reads. The request path (write-ahead, completion) runs on
 * the database driver with hand-written statements, one round trip each; the rest goes
 * through Prisma.
 */
export function createDescriptionRepository(prisma: PrismaClient, driver: DriverQuery): DescriptionRepository {
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
  const findById = (id: string) => findWhere(Prisma.sql`d."id" = ${id}::uuid`);

  return {
    async createPending(input) {
      // One instant for the request and its image links, which keep a copy for the image filter.
      const createdAt = input.createdAt ?? new Date();
      const [written] = await driver<{ estimatedCostUsd: string | null }>(writeAheadSql(input, createdAt), {
        prepareAs: 'bvg_write_ahead',
      });
      if (written === undefined) {
        throw new DuplicateClientRequestIdError(`clientRequestId ${input.clientRequestId} is taken`);
      }
      return pendingRecord(input, createdAt, written.estimatedCostUsd);
    },

    async succeed(pending, outcome) {
      const completedAt = new Date();
      const [written] = await driver<{ costUsd: string | null }>(succeedSql(pending.id, outcome, completedAt), {
        prepareAs: 'bvg_succeed',
      });
      if (written === undefined) throw notPending(pending.id);
      return {
        ...withoutStatus(pending),
        status: 'SUCCEEDED',
        text: outcome.text,
        stopReason: outcome.stopReason ?? null,
        usage: outcome.usage,
        costUsd: written.costUsd,
        latencyMs: outcome.latencyMs,
        modelLatencyMs: outcome.modelLatencyMs ?? null,
        bedrockRequestId: outcome.bedrockRequestId ?? null,
        completedAt,
      };
    },

    async fail(pending, failure) {
      const completedAt = new Date();
      const [written] = await driver<{ id: string }>(failSql(pending.id, failure, completedAt), {
        prepareAs: 'bvg_fail',
      });
      if (written === undefined) throw notPending(pending.id);
      return {
        ...withoutStatus(pending),
        status: 'FAILED',
        error: { code: failure.code, message: failure.message },
        partialText: failure.partialText ?? null,
        latencyMs: failure.latencyMs ?? null,
        bedrockRequestId: failure.bedrockRequestId ?? null,
        completedAt,
      };
    },

    findById,

    findByClientRequestId(clientRequestId) {
      return findWhere(Prisma.sql`d."clientRequestId" = ${clientRequestId}`);
    },

    findImage(sha256) {
      return prisma.image.findUnique({
        where: { sha256 },
        select: { sha256: true, mediaType: true, byteSize: true, width: true, height: true, createdAt: true },
      });
    },

    async deleteDescription(id) {
      const { count } = await prisma.descriptionRequest.deleteMany({ where: { id, status: { not: 'PENDING' } } });
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

    async failAbandoned(olderThan, code, message) {
      const { count } = await prisma.descriptionRequest.updateMany({
        where: { status: 'PENDING', createdAt: { lt: olderThan } },
        data: { status: 'FAILED', errorCode: code, errorMessage: message, completedAt: new Date() },
      });
      return count;
    },
  };
}
