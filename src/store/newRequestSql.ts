import { Prisma } from '../generated/prisma/client.js';
import type { NewDescription } from './DescriptionRecord.js';
import { COST_TRUTH_COLUMNS, costTruthValuesSql } from './costTruthSql.js';

const { sql } = Prisma;

/**
 * The description_request columns every new row takes from its NewDescription, whether the
 * write-ahead writes it PENDING (writeAheadSql) or the exact-request cache writes it answered
 * (cachedCopySql): one list, so a setting added to the request reaches both rows.
 */
export const NEW_REQUEST_COLUMNS = sql`"id", "modelId", "baseModelId", "api", "provider", "prompt", "systemPrompt",
  "maxTokens", "temperature", "topP", "stopSequences", "estimatedCostUsd", "apiKeyId", "clientRequestId",
  "requestHash", "createdAt", ${COST_TRUTH_COLUMNS}`;

/** The values of NEW_REQUEST_COLUMNS for `input`, in that order. */
export function newRequestValuesSql(input: NewDescription, createdAt: Date): Prisma.Sql {
  return sql`${input.id}::uuid, ${input.modelId}, ${input.baseModelId}, ${input.api}::"BedrockApi",
    ${input.provider}::"InferenceProvider", ${input.prompt}, ${input.system ?? null}, ${input.maxTokens}::int,
    ${input.temperature ?? null}::float8, ${input.topP ?? null}::float8, ${[...input.stopSequences]}::text[],
    ${input.estimatedCostUsd}::numeric, ${input.apiKeyId}::uuid, ${input.clientRequestId ?? null},
    ${input.requestHash}, ${createdAt}::timestamptz, ${costTruthValuesSql(input)}`;
}

/**
 * The new row's image links in order, as a CTE named `links` after a CTE `req` that returns
 * the row's "id" when it was written (none is linked otherwise). Each link keeps how the image
 * arrived and what it was before normalisation, and the request's createdAt for the image filter.
 */
export function imageLinksCte(input: NewDescription, createdAt: Date): Prisma.Sql {
  const column = <T>(pick: (image: NewDescription['images'][number]) => T) => input.images.map(pick);
  return sql`links AS (
      INSERT INTO "description_image" ("descriptionId", "position", "imageSha256", "source", "originalMediaType",
        "originalWidth", "originalHeight", "originalByteSize", "requestCreatedAt")
      SELECT req."id", l.position - 1, l.sha256, l.source::"ImageSourceKind", l.media_type, l.width, l.height,
        l.byte_size, ${createdAt}::timestamptz
      FROM req, unnest(${column((i) => i.sha256)}::varchar[], ${column((i) => i.source)}::text[],
        ${column((i) => `image/${i.original.format}`)}::text[], ${column((i) => i.original.width)}::int[],
        ${column((i) => i.original.height)}::int[], ${column((i) => i.original.byteSize)}::int[])
        WITH ORDINALITY AS l(sha256, source, media_type, width, height, byte_size, position)
    )`;
}
