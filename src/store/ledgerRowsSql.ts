import { Prisma } from '../generated/prisma/client.js';
import type { DescriptionRequest, PrismaClient } from '../generated/prisma/client.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import { toDescriptionRecord, type ImageLinkRow } from './toDescriptionRecord.js';

const { sql } = Prisma;

/** A request row as ledgerRowsSql returns it: the table's columns, and its images as JSON. */
type LedgerRowJson = DescriptionRequest & { readonly images: readonly ImageLinkRow[] | null };

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
    SELECT d.*,
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

/** The records an id query selects, in `orderBy` (by id if not given), images included. */
export async function readLedgerRecords(
  prisma: PrismaClient,
  idQuery: Prisma.Sql,
  orderBy: Prisma.Sql = sql`d."id"`,
): Promise<DescriptionRecord[]> {
  const rows = await prisma.$queryRaw<LedgerRowJson[]>(ledgerRowsSql(idQuery, orderBy));
  return rows.map((row) => toDescriptionRecord({ ...row, images: row.images ?? [] }));
}
