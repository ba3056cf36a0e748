export type UsageGroupBy = 'MODEL' | 'DAY' | 'HOUR' | 'STATUS' | 'API' | 'API_KEY' | 'SERVICE_TIER';

/** One bucket of a usage summary; only the grouped-by keys are set. */
export interface UsageBucket {
  readonly model: string | null;
  /** Start of the day or hour in the requested time zone. */
  readonly day: Date | null;
  readonly hour: Date | null;
  readonly status: string | null;
  readonly api: string | null;
  /** The API key (admin keys only may group by it). */
  readonly apiKeyId: string | null;
  readonly serviceTier: string | null;
  /** The value of the tag key grouped by (groupByTag); null for the rows without that tag, or when not grouped by one. */
  readonly tag: string | null;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Exact decimal string (sum of stored costs); "0" when no row in the bucket has a cost. */
  readonly costUsd: string;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  /** Megapixels of the images sent (rows from before pixels were kept count as none). */
  readonly megapixels: number;
  /** Σ input tokens / Σ megapixels over rows with both (prompt tokens included: a few per image). */
  readonly inputTokensPerMegapixel: number | null;
  /** Σ estimated input tokens over the rows whose estimate can be compared with Bedrock's count. */
  readonly estimatedInputTokens: number;
  /** 100 × (Σ estimated − Σ actual) / Σ actual input tokens over those rows: the estimate's bias. */
  readonly estimateErrorPct: number | null;
  /** 95th percentile of one request's |estimated − actual| / actual, in percent. */
  readonly estimateAbsErrorP95Pct: number | null;
  /** Completed rows whose usage is unknown: costUsd leaves them out, so it is then a lower bound. */
  readonly unknownUsageRequests: number;
  /** Rows served from the exact-request cache. */
  readonly cachedRequests: number;
  /** Exact decimal string: what the cached rows' sources cost. */
  readonly savedUsd: string;
}
