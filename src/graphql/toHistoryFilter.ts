import { badInput } from '../errors.js';
import type { HistoryFilter as StoreHistoryFilter } from '../store/index.js';
import type { HistoryFilter } from '../generated/graphql.js';

/** Longer search strings are almost certainly a mistake and make substring search slow. */
export const MAX_SEARCH_LENGTH = 200;
const SHA256 = /^[0-9a-f]{64}$/;

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** The GraphQL filter checked and turned into the store's filter. */
export function toHistoryFilter(filter: HistoryFilter | null | undefined): StoreHistoryFilter {
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
  return {
    createdAfter: orUndefined(createdAfter),
    createdBefore: orUndefined(createdBefore),
    status: orUndefined(filter.status),
    modelId: orUndefined(filter.modelId),
    api: orUndefined(filter.api),
    search: orUndefined(filter.search),
    errorCode: orUndefined(filter.errorCode),
    imageSha256,
    clientRequestId: orUndefined(filter.clientRequestId),
  };
}
