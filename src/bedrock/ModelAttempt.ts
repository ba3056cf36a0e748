import type { VisionUsage } from './VisionModel.js';

/**
 * Token counts as far as they arrived: a field is absent when Bedrock's answer did not carry it
 * (an answer without usage, a stream cut before its last event). Never filled in with 0.
 */
export interface TokenCounts {
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  readonly totalTokens?: number | undefined;
  readonly cacheReadInputTokens?: number | undefined;
  readonly cacheWriteInputTokens?: number | undefined;
}

/**
 * How one HTTP attempt of a model call ended:
 * - ANSWERED: Bedrock answered 200 and the whole answer arrived (with or without its usage);
 * - DAMAGED: Bedrock answered 200 but the answer broke on the way (reset, cut short, not JSON);
 * - REFUSED: Bedrock answered with an error (throttled, 5xx, validation…), which it does not bill;
 * - NO_ANSWER: the request was sent and nothing came back (timed out, reset before a status);
 * - NOT_SENT: no connection could be made, so Bedrock never saw the request;
 * - CANCELLED: the client went away (or the server stopped) while the attempt was running.
 */
export type AttemptOutcome = 'ANSWERED' | 'DAMAGED' | 'REFUSED' | 'NO_ANSWER' | 'NOT_SENT' | 'CANCELLED';

/** One HTTP attempt of a model call, as the ledger keeps it. */
export interface ModelAttempt {
  readonly outcome: AttemptOutcome;
  /** The HTTP status Bedrock answered with; null when none arrived. */
  readonly httpStatus: number | null;
  readonly bedrockRequestId: string | null;
  /** Bedrock's exception name, or the client's error name (TimeoutError…); null for an answer. */
  readonly errorType: string | null;
  /**
   * Whether Bedrock billed it: true once it answered 200 (even if the answer was then damaged), false
   * for an error answer or a request never sent, null when that cannot be known (sent, no answer).
   */
  readonly billed: boolean | null;
  /** What the answer carried; absent fields did not arrive. Empty for an attempt that was not billed. */
  readonly usage: TokenCounts;
  readonly latencyMs: number;
}

/**
 * Where a model call records its attempts, supplied by the caller with the request. The Bedrock
 * adapter appends one entry per HTTP attempt and completes the last one as a streamed answer
 * arrives; the caller reads the list once the call has ended, whether it succeeded or failed.
 */
export interface AttemptLog {
  list(): readonly ModelAttempt[];
  append(attempt: ModelAttempt): void;
  /** Replaces the latest attempt (a stream's usage and outcome are known only after its status). */
  updateLast(change: (attempt: ModelAttempt) => ModelAttempt): void;
}

export function createAttemptLog(): AttemptLog {
  const attempts: ModelAttempt[] = [];
  return {
    list: () => [...attempts],
    append(attempt) {
      attempts.push(attempt);
    },
    updateLast(change) {
      const last = attempts.length - 1;
      if (last >= 0) attempts[last] = change(attempts[last]);
    },
  };
}

/** Whether Bedrock reported both token counts an attempt is priced by. */
export function isCompleteUsage(usage: TokenCounts): boolean {
  return usage.inputTokens !== undefined && usage.outputTokens !== undefined;
}

/** The counts as a whole usage, when Bedrock reported both priced counts; null otherwise. */
export function completeUsage(counts: TokenCounts): VisionUsage | null {
  const { inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens } = counts;
  if (inputTokens === undefined || outputTokens === undefined) return null;
  return {
    inputTokens,
    outputTokens,
    totalTokens:
      counts.totalTokens ?? inputTokens + outputTokens + (cacheReadInputTokens ?? 0) + (cacheWriteInputTokens ?? 0),
    ...(cacheReadInputTokens === undefined ? {} : { cacheReadInputTokens }),
    ...(cacheWriteInputTokens === undefined ? {} : { cacheWriteInputTokens }),
  };
}
