import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';
import { attemptFromError } from './recordAttempts.js';

/**
 * The SDK's standard retry strategy (backoff, jitter, retry quota), except that it never retries
 * an attempt Bedrock may have billed. The standard strategy retries every `TimeoutError` and
 * connection reset, including those that came after the request was sent: the model then ran
 * once per attempt, and each run was billed. So:
 * - an attempt Bedrock answered 200 (its body then broke) is never retried;
 * - an attempt that was sent and got no answer (timed out, reset) is retried only with
 *   `retryTimeouts` (BEDROCK_RETRY_TIMEOUTS=true), accepting that it may be billed twice;
 * - throttling, 5xx answers and connections never made are retried as the SDK would.
 */
export function billingSafeRetryStrategy(maxAttempts: number, retryTimeouts: boolean): RetryStrategyV2 {
  const standard = new StandardRetryStrategy(maxAttempts);
  return {
    acquireInitialRetryToken: (scope: string) => standard.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo) {
      if (info.error !== undefined) {
        const { outcome } = attemptFromError(info.error, 0);
        if (outcome === 'DAMAGED' || outcome === 'ANSWERED' || outcome === 'CANCELLED') {
          return Promise.reject(info.error);
        }
        if (outcome === 'NO_ANSWER' && !retryTimeouts) return Promise.reject(info.error);
      }
      return standard.refreshRetryTokenForRetry(token as StandardRetryToken, info);
    },
    recordSuccess: (token: RetryToken) => standard.recordSuccess(token as StandardRetryToken),
  };
}
