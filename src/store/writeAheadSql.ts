import { Prisma } from '../generated/prisma/client.js';
import type { NewDescription } from './DescriptionRecord.js';
import { OPEN_MODE_KEY_ID } from './ledgerScope.js';
import { budgetGuardSql, reserveBudgetCte } from './budgetSql.js';
import { COST_TRUTH_COLUMNS, costTruthValuesSql } from './costTruthSql.js';

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
  // A model without prices reserves nothing (its cost is unknown, and so is recorded as null).
  const reservation = input.estimatedCostUsd ?? '0';
  const column = <T>(pick: (image: NewDescription['images'][number]) => T) => images.map(pick);
  return sql`WITH req AS (
      INSERT INTO "description_request" ("id", "status", "modelId", "baseModelId", "api", "provider", "prompt",
        "systemPrompt", "maxTokens", "temperature", "topP", "stopSequences", "estimatedCostUsd", "apiKeyId",
        "reservedUsd", "ownerInstanceId", "clientRequestId", "requestHash", "createdAt", ${COST_TRUTH_COLUMNS})
      VALUES (${input.id}::uuid, 'PENDING', ${input.modelId}, ${input.baseModelId}, ${input.api}::"BedrockApi",
        ${input.provider}::"InferenceProvider", ${input.prompt}, ${input.system ?? null}, ${input.maxTokens}::int, ${input.temperature ?? null}::float8,
        ${input.topP ?? null}::float8, ${[...input.stopSequences]}::text[], ${input.estimatedCostUsd}::numeric,
        ${input.apiKeyId}::uuid, ${budgeted ? reservation : null}::numeric, ${ownerInstanceId}::uuid, ${input.clientRequestId ?? null}, ${input.requestHash}, ${createdAt}::timestamptz,
        ${costTruthValuesSql(input)})
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
    ), links AS (
      INSERT INTO "description_image" ("descriptionId", "position", "imageSha256", "source", "originalMediaType",
        "originalWidth", "originalHeight", "originalByteSize", "requestCreatedAt")
      SELECT req."id", l.position - 1, l.sha256, l.source::"ImageSourceKind", l.media_type, l.width, l.height,
        l.byte_size, ${createdAt}::timestamptz
      FROM req, unnest(${column((i) => i.sha256)}::varchar[], ${column((i) => i.source)}::text[],
        ${column((i) => `image/${i.original.format}`)}::text[], ${column((i) => i.original.width)}::int[],
        ${column((i) => i.original.height)}::int[], ${column((i) => i.original.byteSize)}::int[])
        WITH ORDINALITY AS l(sha256, source, media_type, width, height, byte_size, position)
    )
    ${budgeted ? reserveBudgetCte(input.apiKeyId, reservation, createdAt) : sql``}
    SELECT "estimatedCostUsd"${budgeted ? sql`, ${budgetGuardSql(input.apiKeyId, reservation, createdAt)} AS "refused"` : sql``}
    FROM req`;
}
