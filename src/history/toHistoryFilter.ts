import { baseModelId } from '../bedrock/index.js';
import { checkTags } from '../describe/index.js';
import { badInput } from '../errors.js';
import type { HistoryFilter as GeneratedHistoryFilterInput } from '../generated/graphql.js';
import type { HistoryFilter, Range } from '../store/index.js';
import { checkText, type TextRule } from '../text/index.js';

/**
 * A history filter as clients give it: the schema's HistoryFilter input type (generated from
 * schema.graphql), the one list of filter fields for GraphQL and the export alike.
 */
export type HistoryFilterInput = GeneratedHistoryFilterInput;

/** Longer search strings are almost certainly a mistake and make substring search slow. */
export const MAX_SEARCH_LENGTH = 200;
/**
 * Entries in one list filter. Each entry is a bind parameter, and 70 000 of them broke the
 * statement (PostgreSQL takes 65 535); no one filters by more than a handful of models.
 */
export const MAX_FILTER_LIST_ENTRIES = 100;
const SHA256 = /^[0-9a-f]{64}$/;

const identifier = (field: string, maxChars: number): TextRule => ({
  field,
  reason: 'FILTER_INVALID',
  maxChars,
  maxBytes: 4 * maxChars,
  multiline: false,
});
const SEARCH_RULE: TextRule = { ...identifier('search', MAX_SEARCH_LENGTH), multiline: true };
const MODEL_ID_RULE = identifier('modelId', 2048);
const ERROR_CODE_RULE = identifier('errorCode', 64);
const CLIENT_REQUEST_ID_RULE = identifier('clientRequestId', 128);
const IMAGE_SHA256_RULE = identifier('imageSha256', 64);

const text = (value: string | null | undefined, rule: TextRule) =>
  value === null || value === undefined ? undefined : checkText(value, rule);

function list<T>(name: string, values: readonly T[] | null | undefined): readonly T[] | undefined {
  if (values === null || values === undefined) return undefined;
  if (values.length > MAX_FILTER_LIST_ENTRIES) {
    throw badInput('FILTER_INVALID', `${name} is limited to ${MAX_FILTER_LIST_ENTRIES} entries`);
  }
  return values;
}

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

function range<T extends number | string>(
  name: string,
  min: T | null | undefined,
  max: T | null | undefined,
  toNumber: (v: T) => number,
): Range<T> | undefined {
  if ((min === null || min === undefined) && (max === null || max === undefined)) return undefined;
  for (const v of [min, max]) {
    if (v !== null && v !== undefined && !(toNumber(v) >= 0))
      throw badInput('FILTER_INVALID', `${name} cannot be negative`);
  }
  if (min !== null && min !== undefined && max !== null && max !== undefined && toNumber(min) > toNumber(max)) {
    throw badInput('FILTER_INVALID', `min${name} is greater than max${name}`);
  }
  return { min: orUndefined(min), max: orUndefined(max) };
}

/** Profiles and their base model match each other, so the store filters by base model id, once each. */
const baseModelIds = (ids: readonly string[] | undefined) =>
  ids === undefined ? undefined : [...new Set(ids.map((id) => baseModelId(checkText(id, MODEL_ID_RULE))))];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const apiKeyIds = (ids: readonly string[] | undefined) =>
  ids?.map((id) => {
    if (!UUID.test(id.toLowerCase())) throw badInput('FILTER_INVALID', 'apiKeyId must be API key ids (UUIDs)');
    return id.toLowerCase();
  });

/**
 * A filter as a client gives it (GraphQL's `filter` argument, or the export's query parameters coerced
 * against the same input type) checked and turned into the store's filter. Every door reads history
 * through here, so a filter means the same rows, and is refused with the same FILTER_INVALID, everywhere.
 */
export function toHistoryFilter(filter: HistoryFilterInput | null | undefined): HistoryFilter {
  if (filter === null || filter === undefined) return {};
  const { createdAfter, createdBefore } = filter;
  if (createdAfter && createdBefore && createdAfter.getTime() >= createdBefore.getTime()) {
    throw badInput('FILTER_INVALID', 'createdAfter must be before createdBefore');
  }
  const search = text(filter.search, SEARCH_RULE);
  const imageSha256 = text(filter.imageSha256, IMAGE_SHA256_RULE)?.toLowerCase();
  if (imageSha256 !== undefined && !SHA256.test(imageSha256)) {
    throw badInput('FILTER_INVALID', 'imageSha256 must be 64 hex characters');
  }
  const int = (v: number) => v;
  return {
    createdAfter: orUndefined(createdAfter),
    createdBefore: orUndefined(createdBefore),
    status: list('status', filter.status),
    baseModelId: baseModelIds(list('modelId', filter.modelId)),
    api: list('api', filter.api),
    search,
    inputTokens: range('InputTokens', filter.minInputTokens, filter.maxInputTokens, int),
    outputTokens: range('OutputTokens', filter.minOutputTokens, filter.maxOutputTokens, int),
    totalTokens: range('TotalTokens', filter.minTotalTokens, filter.maxTotalTokens, int),
    costUsd: range('CostUsd', filter.minCostUsd, filter.maxCostUsd, Number),
    latencyMs: range('LatencyMs', filter.minLatencyMs, filter.maxLatencyMs, int),
    errorCode: text(filter.errorCode, ERROR_CODE_RULE),
    imageSha256,
    clientRequestId: text(filter.clientRequestId, CLIENT_REQUEST_ID_RULE),
    apiKeyId: apiKeyIds(list('apiKeyId', filter.apiKeyId)),
    provider: list('provider', filter.provider),
    serviceTier: list('serviceTier', filter.serviceTier),
    tags: filter.tags === null || filter.tags === undefined ? undefined : checkTags(filter.tags, 'FILTER_INVALID'),
    usageKnown: orUndefined(filter.usageKnown),
    cached: orUndefined(filter.cached),
  };
}
