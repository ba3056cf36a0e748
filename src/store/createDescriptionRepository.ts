import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type {
  DescriptionFailure,
  DescriptionRecord,
  DescriptionSuccess,
  ImageRecord,
  NewDescription,
} from './DescriptionRecord.js';
import { readLedgerRecords } from './ledgerRowsSql.js';

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
  /** Write-ahead: commits the PENDING row (and its images) before the model is called. */
  createPending(input: NewDescription): Promise<DescriptionRecord>;
  succeed(id: string, outcome: DescriptionSuccess): Promise<DescriptionRecord>;
  fail(id: string, failure: DescriptionFailure): Promise<DescriptionRecord>;
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

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

export function createDescriptionRepository(prisma: PrismaClient): DescriptionRepository {
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
      prisma,
      Prisma.sql`SELECT d."id" FROM "description_request" d WHERE ${condition}`,
    );
    return record ?? null;
  };
  const findById = (id: string) => findWhere(Prisma.sql`d."id" = ${id}::uuid`);
  /** A row this repository has just written. */
  const load = async (id: string): Promise<DescriptionRecord> => {
    const record = await findById(id);
    if (record === null) throw new Error(`Ledger row ${id} vanished after it was written`);
    return record;
  };

  return {
    async createPending(input) {
      // One instant for the request and its image links, which keep a copy for the image filter.
      const createdAt = input.createdAt ?? new Date();
      try {
        await prisma.$transaction([
          // ON CONFLICT DO NOTHING: concurrent requests may bring the same image.
          prisma.image.createMany({
            data: input.images.map(({ sha256, mediaType, byteSize, width, height }) => ({
              sha256,
              mediaType,
              byteSize,
              width,
              height,
            })),
            skipDuplicates: true,
          }),
          prisma.descriptionRequest.create({
            data: {
              id: input.id,
              status: 'PENDING',
              modelId: input.modelId,
              baseModelId: input.baseModelId,
              api: input.api,
              prompt: input.prompt,
              systemPrompt: input.system ?? null,
              maxTokens: input.maxTokens,
              temperature: input.temperature ?? null,
              topP: input.topP ?? null,
              stopSequences: [...input.stopSequences],
              estimatedCostUsd: input.estimatedCostUsd,
              clientRequestId: input.clientRequestId ?? null,
              requestHash: input.requestHash,
              createdAt,
              images: {
                create: input.images.map((image, position) => ({
                  position,
                  imageSha256: image.sha256,
                  source: image.source,
                  originalMediaType: `image/${image.original.format}`,
                  originalWidth: image.original.width,
                  originalHeight: image.original.height,
                  originalByteSize: image.original.byteSize,
                  requestCreatedAt: createdAt,
                })),
              },
            },
          }),
        ]);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DuplicateClientRequestIdError(`clientRequestId ${input.clientRequestId} is taken`, {
            cause: error,
          });
        }
        throw error;
      }
      return load(input.id);
    },

    async succeed(id, outcome) {
      await prisma.descriptionRequest.update({
        where: { id, status: 'PENDING' },
        data: {
          status: 'SUCCEEDED',
          text: outcome.text,
          stopReason: outcome.stopReason ?? null,
          inputTokens: outcome.usage.inputTokens,
          outputTokens: outcome.usage.outputTokens,
          totalTokens: outcome.usage.totalTokens,
          cacheReadInputTokens: outcome.usage.cacheReadInputTokens ?? null,
          cacheWriteInputTokens: outcome.usage.cacheWriteInputTokens ?? null,
          costUsd: outcome.costUsd,
          latencyMs: outcome.latencyMs,
          modelLatencyMs: outcome.modelLatencyMs ?? null,
          bedrockRequestId: outcome.bedrockRequestId ?? null,
          completedAt: new Date(),
        },
      });
      return load(id);
    },

    async fail(id, failure) {
      await prisma.descriptionRequest.update({
        where: { id, status: 'PENDING' },
        data: {
          status: 'FAILED',
          errorCode: failure.code,
          errorMessage: failure.message,
          text: failure.partialText ?? null,
          latencyMs: failure.latencyMs ?? null,
          bedrockRequestId: failure.bedrockRequestId ?? null,
          completedAt: new Date(),
        },
      });
      return load(id);
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
