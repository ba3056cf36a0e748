import type { AttemptLog, ModelAttempt, VisionResult } from '../bedrock/index.js';
import {
  accountAttempts,
  type DescriptionFailure,
  type DescriptionSuccess,
  type PendingDescription,
} from '../store/index.js';

/**
 * A model that records no attempts (one outside the Bedrock adapter) answered: its answer is
 * taken as one billed attempt with the usage it reported.
 */
function answerAsAttempt(result: VisionResult, latencyMs: number): ModelAttempt {
  return {
    outcome: 'ANSWERED',
    httpStatus: 200,
    bedrockRequestId: result.requestId ?? null,
    errorType: null,
    billed: true,
    usage: result.usage,
    latencyMs,
  };
}

/** The completion of a SUCCEEDED row: the answer, and what all of the row's attempts cost. */
export function successOutcome(
  pending: PendingDescription,
  result: VisionResult,
  latencyMs: number,
  log: AttemptLog,
): DescriptionSuccess {
  const recorded = log.list();
  const attempts = recorded.length > 0 ? recorded : [answerAsAttempt(result, latencyMs)];
  // Earlier attempts of a retried request (see reopen) are part of what this row cost.
  const totals = accountAttempts([...pending.attempts, ...attempts], pending.unitPrices);
  return {
    text: result.text,
    stopReason: result.stopReason,
    usage: totals.usage,
    costUsd: totals.costUsd,
    usageKnown: totals.usageKnown,
    attempts: totals.attempts,
    latencyMs,
    modelLatencyMs: result.modelLatencyMs,
    bedrockRequestId: result.requestId,
  };
}

/**
 * What a FAILED row records of its attempts: a billed answer that broke on the way keeps its
 * usage and cost, and the Bedrock request id of the last attempt that got one.
 */
export function failureAccounting(
  pending: PendingDescription,
  log: AttemptLog | undefined,
): Pick<DescriptionFailure, 'usage' | 'costUsd' | 'usageKnown' | 'attempts' | 'bedrockRequestId'> {
  const totals = accountAttempts([...pending.attempts, ...(log?.list() ?? [])], pending.unitPrices);
  const withId = totals.attempts.filter((attempt) => attempt.bedrockRequestId !== null).at(-1);
  return {
    usage: totals.usage,
    costUsd: totals.costUsd,
    usageKnown: totals.usageKnown,
    attempts: totals.attempts,
    bedrockRequestId: withId?.bedrockRequestId ?? undefined,
  };
}
