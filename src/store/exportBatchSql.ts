import { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter, HistoryKey } from './HistoryFilter.js';
import { historyWhereSql, keysetSql } from './historySql.js';

const { sql, empty, raw } = Prisma;

export type ExportFormat = 'ndjson' | 'csv';

/** One exported row: its line, and the keyset position the next batch starts after. */
export interface ExportLine {
  readonly id: string;
  /** ISO 8601 in UTC with milliseconds, as the line writes it. */
  readonly createdAt: string;
  /** The row as one NDJSON object or one CSV record, without the line break. */
  readonly line: string;
}

/**
 * The exported columns, in order: the NDJSON keys and the CSV header. Timestamps are ISO
 * 8601 in UTC, costUsd an exact decimal string, imageSha256s the images' sha256 in the order
 * sent, separated by spaces.
 */
export const EXPORT_COLUMNS = [
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
] as const;

const INTEGER_COLUMNS = new Set<string>(['inputTokens', 'outputTokens', 'totalTokens', 'latencyMs']);

const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * RFC 4180: cells with separators, quotes or line breaks are quoted; NULL is empty. A text
 * cell that starts with = + - @, a tab or a carriage return gets a leading apostrophe
 * (OWASP's advice against CSV injection): quoting alone does not stop a spreadsheet from
 * running `=HYPERLINK(…)` written by a model or a user's prompt.
 */
const csvCell = (column: string) => {
  if (INTEGER_COLUMNS.has(column)) return `coalesce(e."${column}"::text, '')`;
  const value = `e."${column}"`;
  const guarded = `CASE WHEN ${value} ~ '^[-=+@\\t\\r]' THEN '''' || ${value} ELSE ${value} END`;
  return `CASE WHEN ${value} IS NULL THEN '' WHEN ${guarded} ~ '[",\\r\\n]' THEN '"' || replace(${guarded}, '"', '""') || '"' ELSE ${guarded} END`;
};

const LINE_SQL: Record<ExportFormat, string> = {
  // row_to_json writes the columns as keys in select order, without spaces: the same bytes as JSON.stringify.
  ndjson: 'row_to_json(e)::text',
  csv: EXPORT_COLUMNS.map(csvCell).join(` || ',' || `),
};

export const exportHeader = (format: ExportFormat): string =>
  format === 'csv' ? `${EXPORT_COLUMNS.join(',')}\r\n` : '';

/**
 * One batch of the export, newest first, after `key`, each row already written as its
 * line by the database. Formatting there, instead of turning every row into a JavaScript
 * object and then into a string, is what keeps the server's memory flat: the garbage of
 * a million row objects made its heap grow by ~150 MB before the collector caught up.
 */
export function exportBatchSql(
  filter: HistoryFilter,
  format: ExportFormat,
  key: HistoryKey | undefined,
  limit: number,
): Prisma.Sql {
  const keyset = key === undefined ? empty : sql` AND ${keysetSql('CREATED_AT', 'DESC', key)}`;
  // The outer ORDER BY repeats the inner one: ISO 8601 text in UTC and a uuid's hex text,
  // compared byte by byte, sort as the values they write.
  return sql`SELECT e."id", e."createdAt", ${raw(LINE_SQL[format])} AS "line" FROM (
    SELECT d."id"::text AS "id", ${raw(isoUtc('d."createdAt"'))} AS "createdAt",
      ${raw(isoUtc('d."completedAt"'))} AS "completedAt", d."status"::text AS "status", d."modelId",
      d."api"::text AS "api", d."prompt", d."systemPrompt", d."text", d."stopReason", d."inputTokens",
      d."outputTokens", d."totalTokens", trim_scale(d."costUsd")::text AS "costUsd", d."latencyMs", d."errorCode",
      d."errorMessage", d."clientRequestId", d."bedrockRequestId",
      coalesce((SELECT string_agg(di."imageSha256", ' ' ORDER BY di."position") FROM "description_image" di
                WHERE di."descriptionId" = d."id"), '') AS "imageSha256s"
    FROM "description_request" d
    WHERE ${historyWhereSql(filter)}${keyset}
    ORDER BY d."createdAt" DESC, d."id" DESC
    LIMIT ${limit}) e
  ORDER BY e."createdAt" COLLATE "C" DESC, e."id" COLLATE "C" DESC`;
}
