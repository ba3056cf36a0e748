import {
  completeUsage,
  costUsd,
  isCompleteUsage,
  type ModelAttempt,
  type TokenCounts,
  type UnitPrices,
} from '../bedrock/index.js';
import type { LedgerAttempt } from './DescriptionRecord.js';

/** What a row records of its attempts: each with its cost, and their sum. */
export interface AttemptTotals {
  readonly attempts: readonly LedgerAttempt[];
  /** Summed over the attempts that were (or may have been) billed, each count as far as reported. */
  readonly usage: TokenCounts;
  /** False when an attempt that was, or may have been, billed did not report its usage. */
  readonly usageKnown: boolean;
  /**
   * What the billed attempts cost, at the row's prices: null when the model has no prices, when
   * nothing was billed, or when usage is not known (an unknown cost is never shown as 0).
   */
  readonly costUsd: string | null;
}

const add = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : a + b);

function sumCounts(total: TokenCounts, next: TokenCounts): TokenCounts {
  return {
    inputTokens: add(total.inputTokens, next.inputTokens),
    outputTokens: add(total.outputTokens, next.outputTokens),
    totalTokens: add(total.totalTokens, next.totalTokens ?? completeUsage(next)?.totalTokens),
    cacheReadInputTokens: add(total.cacheReadInputTokens, next.cacheReadInputTokens),
    cacheWriteInputTokens: add(total.cacheWriteInputTokens, next.cacheWriteInputTokens),
  };
}

/**
 * Adds up a request's attempts (earlier ones of a retried request included): the row costs what
 * Bedrock billed across all of them, so a retry after a billed attempt is charged twice in the
 * ledger exactly when Bedrock charged twice. Costs are exact decimals (see costUsd), and the sum
 * of the attempts' usages priced once equals the sum of their prices.
 */
export function accountAttempts(
  attempts: readonly (ModelAttempt | LedgerAttempt)[],
  unitPrices: UnitPrices | null,
): AttemptTotals {
  const priced = attempts.map((attempt): LedgerAttempt => {
    const usage = completeUsage(attempt.usage);
    return {
      ...attempt,
      costUsd: attempt.billed === true && usage !== null && unitPrices !== null ? costUsd(usage, unitPrices) : null,
    };
  });
  const billed = priced.filter((attempt) => attempt.billed !== false);
  const usageKnown = billed.every((attempt) => attempt.billed === true && isCompleteUsage(attempt.usage));
  const usage = billed.reduce<TokenCounts>((total, attempt) => sumCounts(total, attempt.usage), {});
  const whole = completeUsage(usage);
  return {
    attempts: priced,
    usage,
    usageKnown,
    costUsd:
      usageKnown && billed.length > 0 && whole !== null && unitPrices !== null ? costUsd(whole, unitPrices) : null,
  };
}
