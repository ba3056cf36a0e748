import type { DescriptionResolvers, ModelAttemptResolvers } from '../generated/graphql.js';

/** Description's fields for usage honesty and the exact-request cache. */
export const ATTEMPT_FIELDS = {
  usageKnown: (d) => (d.status === 'PENDING' ? null : d.usageKnown),
  cached: (d) => d.status === 'SUCCEEDED' && d.cachedFromId !== null,
  cachedFromId: (d) => (d.status === 'SUCCEEDED' ? d.cachedFromId : null),
  savedUsd: (d) => (d.status === 'SUCCEEDED' ? d.savedUsd : null),
} satisfies DescriptionResolvers;

/** An attempt's token counts as far as it reported them. */
export const MODEL_ATTEMPT_FIELDS = {
  inputTokens: (a) => a.usage.inputTokens ?? null,
  outputTokens: (a) => a.usage.outputTokens ?? null,
} satisfies ModelAttemptResolvers;
