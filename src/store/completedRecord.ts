import { completeUsage } from '../bedrock/index.js';
import type {
  DescriptionFailure,
  DescriptionSuccess,
  FailedDescription,
  PendingDescription,
  SucceededDescription,
} from './DescriptionRecord.js';
import { storableText } from './storableText.js';

function withoutStatus({ status: _status, ...common }: PendingDescription) {
  return common;
}

/**
 * The record a completion makes of a PENDING one: what the completion statement wrote, or a journal will,
 * its text as stored (storableText), so the answer a client gets is what history will show.
 */
export function succeededRecord(
  pending: PendingDescription,
  outcome: DescriptionSuccess,
  costUsd: string | null,
  completedAt: Date,
): SucceededDescription {
  return {
    ...withoutStatus(pending),
    status: 'SUCCEEDED',
    text: storableText(outcome.text),
    stopReason: storableText(outcome.stopReason) ?? null,
    usage: completeUsage(outcome.usage),
    costUsd,
    usageKnown: outcome.usageKnown ?? true,
    attempts: outcome.attempts ?? pending.attempts,
    cachedFromId: null,
    savedUsd: null,
    latencyMs: outcome.latencyMs,
    modelLatencyMs: outcome.modelLatencyMs ?? null,
    bedrockRequestId: storableText(outcome.bedrockRequestId) ?? null,
    completedAt,
  };
}

export function failedRecord(
  pending: PendingDescription,
  failure: DescriptionFailure,
  completedAt: Date,
): FailedDescription {
  return {
    ...withoutStatus(pending),
    status: 'FAILED',
    error: { code: failure.code, message: storableText(failure.message) },
    usage: completeUsage(failure.usage ?? {}),
    costUsd: failure.costUsd ?? null,
    usageKnown: failure.usageKnown ?? true,
    attempts: failure.attempts ?? pending.attempts,
    partialText: storableText(failure.partialText) ?? null,
    latencyMs: failure.latencyMs ?? null,
    bedrockRequestId: storableText(failure.bedrockRequestId) ?? null,
    completedAt,
  };
}

/** A reopened row's record, its next run: the failure's fields gone, its attempts kept (they are part of what the row cost). */
export function pendingAgain({
  status: _status,
  error: _error,
  usage: _usage,
  costUsd: _cost,
  usageKnown: _known,
  partialText: _text,
  latencyMs: _latency,
  bedrockRequestId: _id,
  completedAt: _at,
  ...common
}: FailedDescription): PendingDescription {
  return { ...common, run: common.run + 1, status: 'PENDING' };
}
