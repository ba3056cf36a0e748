import { Prisma } from '../generated/prisma/client.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import type { DriverQuery } from './DriverQuery.js';
import { COST_TRUTH_RECORD_COLUMNS } from './costTruthRecord.js';
import { ATTEMPT_RECORD_COLUMNS } from './attemptRecord.js';
import { toDescriptionRecord, type DescriptionRow } from './toDescriptionRecord.js';

const { sql } = Prisma;

/** A request row as ledgerRowsSql returns it; images are NULL for a request without any. */
type LedgerRowJson = Omit<DescriptionRow, 'images'> & { readonly images: DescriptionRow['images'] | null };

/**
 * The columns a record is made of. Decimals come back as text at their own scale (both drivers
 * decode text alike, and exactly), the rest as the drivers decode them.
 */
const RECORD_COLUMNS = sql`d."id", d."status", d."modelId", d."api", d."provider", d."prompt", d."systemPrompt",
  d."maxTokens", d."temperature", d."topP", d."stopSequences", d."text", d."stopReason", d."inputTokens", d."outputTokens",
  d."totalTokens", d."cacheReadInputTokens", d."cacheWriteInputTokens",
  trim_scale(d."costUsd")::text AS "costUsd", trim_scale(d."estimatedCostUsd")::text AS "estimatedCostUsd",
  d."latencyMs", d."modelLatencyMs", d."bedrockRequestId", d."errorCode", d."errorMessage", d."apiKeyId", d."clientRequestId",
  d."requestHash", d."createdAt", d."completedAt", ${COST_TRUTH_RECORD_COLUMNS}, ${ATTEMPT_RECORD_COLUMNS}`;

/**
 * The full rows, images included, of the requests an id query selects, in `orderBy`
 * (an ORDER BY over the alias `d`). One statement instead of Prisma's `include`, which
 * sends three: at a page of twenty that is most of a history request's time.
 *
 * The id query runs first, materialised, so its LIMIT is applied (usually by an
 * index-only scan) before any wide row or image is read.
 */
export function ledgerRowsSql(idQuery: Prisma.Sql, orderBy: Prisma.Sql): Prisma.Sql {
  return sql`WITH page AS MATERIALIZED (${idQuery})
    SELECT ${RECORD_COLUMNS},
      (SELECT json_agg(json_build_object(
          'source', di."source", 'originalMediaType', di."originalMediaType",
          'originalWidth', di."originalWidth", 'originalHeight', di."originalHeight",
          'originalByteSize', di."originalByteSize",
          'image', json_build_object('sha256', i."sha256", 'mediaType', i."mediaType",
            'byteSize', i."byteSize", 'width', i."width", 'height', i."height")
        ) ORDER BY di."position")
       FROM "description_image" di JOIN "image" i ON i."sha256" = di."imageSha256"
       WHERE di."descriptionId" = d."id") AS "images"
    FROM page JOIN "description_request" d ON d."id" = page."id"
    ORDER BY ${orderBy}`;
}

/** The records an id query selects (read on the driver: Prisma's decoding of raw rows cost more than the query), in `orderBy` (by id if not given), images included. */
export async function readLedgerRecords(
  driver: DriverQuery,
  idQuery: Prisma.Sql,
  orderBy: Prisma.Sql = sql`d."id"`,
): Promise<DescriptionRecord[]> {
  const rows = await driver<LedgerRowJson>(ledgerRowsSql(idQuery, orderBy));
  return rows.map((row) => toDescriptionRecord({ ...row, images: row.images ?? [] }));
}
