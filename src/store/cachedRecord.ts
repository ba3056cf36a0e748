import type { CachedCopyRow } from './cacheSql.js';
import type { NewDescription, SucceededDescription } from './DescriptionRecord.js';
import { pendingRecord } from './pendingRecord.js';

/**
 * The SUCCEEDED record cachedCopySql wrote: the new request's settings and images with its source's
 * answer. It used no tokens and cost nothing; savedUsd is what the source cost.
 */
export function cachedRecord(input: NewDescription, createdAt: Date, row: CachedCopyRow): SucceededDescription {
  return {
    ...pendingRecord(input, createdAt, input.estimatedCostUsd),
    status: 'SUCCEEDED',
    text: row.text,
    stopReason: row.stopReason,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: '0',
    usageKnown: true,
    cachedFromId: row.sourceId,
    savedUsd: row.savedUsd,
    latencyMs: 0,
    modelLatencyMs: null,
    bedrockRequestId: null,
    completedAt: createdAt,
  };
}
