import type { DescriptionRepository, NewDescription, SucceededDescription } from '../store/index.js';

/** The exact-request cache as configured: whether requests use it unless they say, and how old an answer it serves. */
export interface CacheSettings {
  /** CACHE_DEFAULT: used by requests that do not set `cache`. */
  readonly byDefault: boolean;
  /** CACHE_TTL: the oldest answer served, in seconds since it was completed. */
  readonly ttlSeconds: number;
}

/** CACHE_TTL's default: a day. */
export const DEFAULT_CACHE_TTL_SECONDS = 86_400;

/**
 * When the request uses the cache (its own `cache`, else the configured default), the SUCCEEDED
 * copy of an earlier answer to the same request by the same API key, written as this request's
 * row; null otherwise, and the request goes on to the model. Keys never share answers: the
 * lookup is scoped to the row's apiKeyId (OPEN_MODE_KEY_ID in open mode).
 */
export async function findCachedAnswer(
  descriptions: DescriptionRepository,
  input: NewDescription,
  requested: boolean | undefined,
  settings: CacheSettings | undefined,
): Promise<SucceededDescription | null> {
  if (!(requested ?? settings?.byDefault ?? false)) return null;
  return descriptions.createFromCache(input, settings?.ttlSeconds ?? DEFAULT_CACHE_TTL_SECONDS);
}
