import { Prisma } from '../generated/prisma/client.js';
import type { NewDescription } from './DescriptionRecord.js';
import { imageLinksCte, NEW_REQUEST_COLUMNS, newRequestValuesSql } from './newRequestSql.js';

const { sql } = Prisma;

/** What cachedCopySql returns when a source answer exists: the answer, and whether the copy was written. */
export interface CachedCopyRow {
  readonly sourceId: string;
  readonly text: string;
  readonly stopReason: string | null;
  /** The source's cost: what this copy saved. */
  readonly savedUsd: string | null;
  /** False when the clientRequestId was already taken: nothing was written. */
  readonly written: boolean;
}

/**
 * The exact-request cache in one statement: the newest SUCCEEDED answer of the same API key to
 * the same request (the same requestHash: model, api, prompt, system prompt, parameters, image
 * hashes, tier and tags) completed within `ttlSeconds`, copied into a new SUCCEEDED row that
 * points at it and costs 0, with the new request's image links. Only original answers are
 * sources, so a copy never points at a copy and the TTL counts from the model's answer.
 *
 * No row comes back when there is no such answer; `written` is false when the clientRequestId
 * is taken (the caller then goes the write-ahead way, which replays the earlier row).
 */
export function cachedCopySql(input: NewDescription, createdAt: Date, ttlSeconds: number): Prisma.Sql {
  return sql`WITH src AS (
      SELECT s."id", s."text", s."stopReason", s."costUsd" FROM "description_request" s
      WHERE s."apiKeyId" = ${input.apiKeyId}::uuid AND s."requestHash" = ${input.requestHash}
        AND s."status" = 'SUCCEEDED' AND s."cachedFromId" IS NULL
        AND s."completedAt" >= ${createdAt}::timestamptz - make_interval(secs => ${ttlSeconds}::float8)
      ORDER BY s."completedAt" DESC
      LIMIT 1
    ), req AS (
      INSERT INTO "description_request" ("status", ${NEW_REQUEST_COLUMNS}, "text", "stopReason", "inputTokens",
        "outputTokens", "totalTokens", "costUsd", "latencyMs", "completedAt", "cachedFromId", "savedUsd")
      SELECT 'SUCCEEDED', ${newRequestValuesSql(input, createdAt)}, src."text", src."stopReason", 0, 0, 0, 0, 0,
        ${createdAt}::timestamptz, src."id", src."costUsd"
      FROM src
      ON CONFLICT ("apiKeyId", "clientRequestId") DO NOTHING
      RETURNING "id"
    ), ${imageLinksCte(input, createdAt)}
    SELECT src."id" AS "sourceId", src."text", src."stopReason", trim_scale(src."costUsd")::text AS "savedUsd",
      EXISTS (SELECT 1 FROM req) AS "written"
    FROM src`;
}
