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
 * sent, separated by spaces; tags `key=value` by key, separated by `;`.
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
  'serviceTier',
  'tags',
  'usageKnown',
  'cachedFromId',
  'savedUsd',
] as const;

/** Tags as one text, `key=value` by key, separated by `;` (a character no tag may hold), '' for none. */
const EXPORT_TAGS_SQL = raw(
  `coalesce((SELECT string_agg(t.key || '=' || t.value, ';' ORDER BY t.key COLLATE "C") FROM jsonb_each_text(d."tags") t), '')`,
);

const INTEGER_COLUMNS = new Set<string>(['inputTokens', 'outputTokens', 'totalTokens', 'latencyMs']);
/** Written as true/false (JSON booleans in NDJSON); empty while PENDING. */
const BOOLEAN_COLUMNS = new Set<string>(['usageKnown']);

const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Blanks a spreadsheet may skip before reading a formula: ASCII whitespace, the no-break and
 * ideographic spaces, the typographic spaces, the byte-order mark. Written out as characters,
 * since what `\s` matches in PostgreSQL depends on the database's locale.
 */
const LEADING_BLANKS = `\\t\\n\\r\\v\\f \u00a0\u1680${String.fromCharCode(
  ...Array.from({ length: 12 }, (_, i) => 0x2000 + i),
)}\u2028\u2029\u202f\u205f\u3000\ufeff`;
/** The formula signs and their full-width and small forms, which spreadsheets in CJK locales fold to ASCII. */
const FORMULA_SIGNS = `=+@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66-`;
const FORMULA = `^([\\t\\r]|[${LEADING_BLANKS}]*[${FORMULA_SIGNS}])`;

/**
 * RFC 4180: cells with separators, quotes or line breaks are quoted; NULL is empty. A text
 * cell that starts with = + - @ (or their full-width forms), possibly after blanks, or with a
 * tab or a carriage return, gets a leading apostrophe (OWASP's advice against CSV injection):
 * quoting alone does not stop a spreadsheet from running `=HYPERLINK(…)` written by a model or
 * a user's prompt, and spreadsheets trim leading blanks and fold full-width signs.
 */
const csvCell = (column: string) => {
  if (INTEGER_COLUMNS.has(column) || BOOLEAN_COLUMNS.has(column)) return `coalesce(e."${column}"::text, '')`;
  const value = `e."${column}"`;
  const guarded = `CASE WHEN ${value} ~ '${FORMULA}' THEN '''' || ${value} ELSE ${value} END`;
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
                WHERE di."descriptionId" = d."id"), '') AS "imageSha256s",
      d."serviceTier"::text AS "serviceTier", ${EXPORT_TAGS_SQL} AS "tags",
      CASE WHEN d."status" = 'PENDING' THEN NULL ELSE d."usageKnown" END AS "usageKnown",
      d."cachedFromId"::text AS "cachedFromId", trim_scale(d."savedUsd")::text AS "savedUsd"
    FROM "description_request" d
    WHERE ${historyWhereSql(filter)}${keyset}
    ORDER BY d."createdAt" DESC, d."id" DESC
    LIMIT ${limit}) e
  ORDER BY e."createdAt" COLLATE "C" DESC, e."id" COLLATE "C" DESC`;
}
