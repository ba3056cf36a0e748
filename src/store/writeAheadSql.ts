import { Prisma } from '../generated/prisma/client.js';
import type { NewDescription } from './DescriptionRecord.js';
import { OPEN_MODE_KEY_ID } from './ledgerScope.js';
import { budgetGuardSql, reserveBudgetCte } from './budgetSql.js';
import { imageLinksCte, NEW_REQUEST_COLUMNS, newRequestValuesSql } from './newRequestSql.js';

const { sql } = Prisma;

/**
 * The write-ahead record in one statement, so one round trip: the request row, the images
 * it brings (once per sha256; concurrent requests may bring the same one) and the links
 * between them in order. It returns the row only when it was written: a clientRequestId
 * already taken returns nothing, and then writes no image either, so the caller replays the
 * earlier row instead of paying for a pre-read on every request.
 *
 * The links' foreign key to `image` is checked at the end of the statement, when the
 * images written by the `img` sub-statement are there.
 */
export function writeAheadSql(input: NewDescription, createdAt: Date, ownerInstanceId: string | null): Prisma.Sql {
  const { images } = input;
  // Open mode has no key and no budget; every key's requests are counted against its budgets.
  const budgeted = input.apiKeyId !== OPEN_MODE_KEY_ID;
  // A model without prices cannot reserve (its cost is unknown, and so is recorded as null): see reserveBudgetCte.
  const reservation = input.estimatedCostUsd;
  const column = <T>(pick: (image: NewDescription['images'][number]) => T) => images.map(pick);
  return sql`WITH req AS (
      INSERT INTO "description_request" ("status", ${NEW_REQUEST_COLUMNS}, "reservedUsd", "ownerInstanceId")
      VALUES ('PENDING', ${newRequestValuesSql(input, createdAt)}, ${budgeted ? (reservation ?? '0') : null}::numeric,
        ${ownerInstanceId}::uuid)
      ON CONFLICT ("apiKeyId", "clientRequestId") DO NOTHING
      RETURNING "id", trim_scale("estimatedCostUsd")::text AS "estimatedCostUsd"
    ), img AS (
      INSERT INTO "image" ("sha256", "mediaType", "byteSize", "width", "height")
      SELECT DISTINCT ON (i.sha256) i.sha256, i.media_type, i.byte_size, i.width, i.height
      FROM unnest(${column((i) => i.sha256)}::varchar[], ${column((i) => i.mediaType)}::text[],
        ${column((i) => i.byteSize)}::int[], ${column((i) => i.width)}::int[], ${column((i) => i.height)}::int[])
        AS i(sha256, media_type, byte_size, width, height)
      WHERE EXISTS (SELECT 1 FROM req)
      ON CONFLICT ("sha256") DO NOTHING
    ), ${imageLinksCte(input, createdAt)}
    ${budgeted ? reserveBudgetCte(input.apiKeyId, reservation, createdAt) : sql``}
    SELECT "estimatedCostUsd"${budgeted ? sql`, ${budgetGuardSql(input.apiKeyId, reservation, createdAt)} AS "refused"` : sql``}
    FROM req`;
}
