import type { ApolloServerPlugin } from '@apollo/server';
import { ERROR_CODES, httpStatusOf, isRetryableRefusal, type ErrorCode } from '../errors.js';

/**
 * A GraphQL response refused for a retryable reason (the database cannot be reached, the
 * server is at capacity) takes that code's HTTP status and a Retry-After header, so a load
 * balancer or a client's retry logic sees a 503 rather than a 200 carrying an error.
 * Other errors inside a result keep Apollo's status (see ErrorDefinition in errors.ts).
 */
export const retryableRefusalPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          const code = error.extensions?.code as ErrorCode | undefined;
          if (code === undefined || !Object.hasOwn(ERROR_CODES, code) || !isRetryableRefusal(code)) continue;
          response.http.status = httpStatusOf(code);
          const retryAfter = error.extensions?.retryAfterSeconds;
          if (typeof retryAfter === 'number') response.http.headers.set('retry-after', String(retryAfter));
          return;
        }
      },
    };
  },
};
