import type { BedrockApi, InferenceProvider, ServiceTier } from '../bedrock/index.js';
import type { DescriptionStatus } from './DescriptionRecord.js';

/** An inclusive range; either end may be open. */
export interface Range<T> {
  readonly min?: T | undefined;
  readonly max?: T | undefined;
}

/** Ledger filters; every field is optional and they combine with AND. */
export interface HistoryFilter {
  /** Inclusive. */
  readonly createdAfter?: Date | undefined;
  /** Exclusive. */
  readonly createdBefore?: Date | undefined;
  readonly status?: readonly DescriptionStatus[] | undefined;
  /** Base model ids (inference profile prefixes already removed): matches calls through any profile. */
  readonly baseModelId?: readonly string[] | undefined;
  readonly api?: readonly BedrockApi[] | undefined;
  /** Case-insensitive substring of the prompt, system prompt or description. */
  readonly search?: string | undefined;
  readonly inputTokens?: Range<number> | undefined;
  readonly outputTokens?: Range<number> | undefined;
  readonly totalTokens?: Range<number> | undefined;
  /** Decimal strings. */
  readonly costUsd?: Range<string> | undefined;
  readonly latencyMs?: Range<number> | undefined;
  readonly errorCode?: string | undefined;
  readonly imageSha256?: string | undefined;
  readonly clientRequestId?: string | undefined;
  readonly serviceTier?: readonly ServiceTier[] | undefined;
  /** `key=value` tags (checked, one per key); a row matches when it has all of them. */
  readonly tags?: readonly string[] | undefined;
  /** false: only rows whose usage (so cost) is unknown; true: only the others. */
  readonly usageKnown?: boolean | undefined;
  /** true: only answers served from the exact-request cache; false: only the others. */
  readonly cached?: boolean | undefined;
  /**
   * The API keys whose rows to read. A non-admin key's reads always carry exactly its own id
   * (see auth/scopeFilter); absent only for open mode and admin keys, which see every row.
   */
  readonly apiKeyId?: readonly string[] | undefined;
  readonly provider?: readonly InferenceProvider[] | undefined;
}

export type HistoryOrderField = 'CREATED_AT' | 'COST' | 'TOTAL_TOKENS' | 'LATENCY';
export type OrderDirection = 'ASC' | 'DESC';

export interface HistoryOrder {
  readonly field: HistoryOrderField;
  readonly direction: OrderDirection;
}

export const DEFAULT_HISTORY_ORDER: HistoryOrder = Object.freeze({ field: 'CREATED_AT', direction: 'DESC' });

/**
 * A position in an ordering: the row's sort value (ISO instant, decimal string, number,
 * or null for rows without one) and its id, the tie-breaker.
 */
export interface HistoryKey {
  readonly value: string | number | null;
  readonly id: string;
}

/** Relay paging: forwards with first/after, or backwards with last/before. */
export type HistoryPageRequest =
  | { readonly direction: 'forward'; readonly size: number; readonly after?: HistoryKey | undefined }
  | { readonly direction: 'backward'; readonly size: number; readonly before?: HistoryKey | undefined };
