import { baseModelId } from '../bedrock/index.js';
import { badInput } from '../errors.js';
import type { HistoryFilter as GraphQLHistoryFilter } from '../generated/graphql.js';
import type { HistoryFilter, Range } from '../store/index.js';

/** Longer search strings are almost certainly a mistake and make substring search slow. */
export const MAX_SEARCH_LENGTH = 200;
const SHA256 = /^[0-9a-f]{64}$/;

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

/** The GraphQL filter (or export query parameters) checked and turned into the store's filter. */
export function toHistoryFilter(filter: GraphQLHistoryFilter | null | undefined): HistoryFilter {
  if (filter === null || filter === undefined) return {};
  const { createdAfter, createdBefore } = filter;
  if (createdAfter && createdBefore && createdAfter.getTime() >= createdBefore.getTime()) {
    throw badInput('FILTER_INVALID', 'createdAfter must be before createdBefore');
  }
  if (filter.search !== null && filter.search !== undefined && filter.search.length > MAX_SEARCH_LENGTH) {
    throw badInput('FILTER_INVALID', `search is limited to ${MAX_SEARCH_LENGTH} characters`);
  }
  const imageSha256 = orUndefined(filter.imageSha256)?.toLowerCase();
  if (imageSha256 !== undefined && !SHA256.test(imageSha256)) {
    throw badInput('FILTER_INVALID', 'imageSha256 must be 64 hex characters');
  }
  const int = (v: number) => v;
  return {
    createdAfter: orUndefined(createdAfter),
    createdBefore: orUndefined(createdBefore),
    status: orUndefined(filter.status),
    baseModelId:
      filter.modelId === null || filter.modelId === undefined
        ? undefined
        : [...new Set(filter.modelId.map((id) => baseModelId(id)))],
    api: orUndefined(filter.api),
    search: orUndefined(filter.search),
    inputTokens: range('InputTokens', filter.minInputTokens, filter.maxInputTokens, int),
    outputTokens: range('OutputTokens', filter.minOutputTokens, filter.maxOutputTokens, int),
    totalTokens: range('TotalTokens', filter.minTotalTokens, filter.maxTotalTokens, int),
    costUsd: range('CostUsd', filter.minCostUsd, filter.maxCostUsd, Number),
    latencyMs: range('LatencyMs', filter.minLatencyMs, filter.maxLatencyMs, int),
    errorCode: orUndefined(filter.errorCode),
    imageSha256,
    clientRequestId: orUndefined(filter.clientRequestId),
  };
}
