import { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter, HistoryKey } from './HistoryFilter.js';
import { historyWhereSql, keysetSql } from './historySql.js';

const { sql, empty } = Prisma;

/** A ledger row as exported: flat, one line of NDJSON or CSV. */
export interface ExportRow {
  readonly id: string;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
  readonly status: string;
  readonly modelId: string;
  readonly api: string;
  readonly prompt: string;
  readonly systemPrompt: string | null;
  readonly text: string | null;
  readonly stopReason: string | null;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly totalTokens: number | null;
  readonly costUsd: string | null;
  readonly latencyMs: number | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly clientRequestId: string | null;
  readonly bedrockRequestId: string | null;
  /** sha256 of each image, in the order sent, separated by spaces. */
  readonly imageSha256s: string;
}

export const EXPORT_COLUMNS: readonly (keyof ExportRow)[] = [
  'id',
  'createdAt',
  'completedAt',
  'status',
  'modelId',
  'api',
  'prompt',
  'systemPrompt',
  'text',
  'stopReason',
  'inputTokens',
  'outputTokens',
  'totalTokens',
  'costUsd',
  'latencyMs',
  'errorCode',
  'errorMessage',
  'clientRequestId',
  'bedrockRequestId',
  'imageSha256s',
];

/** One batch of the export, newest first, after `key`: plain columns, no ORM objects. */
export function exportBatchSql(filter: HistoryFilter, key: HistoryKey | undefined, limit: number): Prisma.Sql {
  const keyset = key === undefined ? empty : sql` AND ${keysetSql('CREATED_AT', 'DESC', key)}`;
  return sql`SELECT d."id"::text AS "id", d."createdAt", d."completedAt", d."status"::text AS "status", d."modelId",
      d."api"::text AS "api", d."prompt", d."systemPrompt", d."text", d."stopReason", d."inputTokens",
      d."outputTokens", d."totalTokens", trim_scale(d."costUsd")::text AS "costUsd", d."latencyMs", d."errorCode",
      d."errorMessage", d."clientRequestId", d."bedrockRequestId",
      coalesce((SELECT string_agg(di."imageSha256", ' ' ORDER BY di."position") FROM "description_image" di
                WHERE di."descriptionId" = d."id"), '') AS "imageSha256s"
    FROM "description_request" d
    WHERE ${historyWhereSql(filter)}${keyset}
    ORDER BY d."createdAt" DESC, d."id" DESC
    LIMIT ${limit}`;
}
