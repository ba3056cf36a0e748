export type UsageGroupBy = 'MODEL' | 'DAY' | 'HOUR' | 'STATUS' | 'API';

/** One bucket of a usage summary; only the grouped-by keys are set. */
export interface UsageBucket {
  readonly model: string | null;
  /** Start of the day or hour in the requested time zone. */
  readonly day: Date | null;
  readonly hour: Date | null;
  readonly status: string | null;
  readonly api: string | null;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Exact decimal string (sum of stored costs); "0" when no row in the bucket has a cost. */
  readonly costUsd: string;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
}
