import { badInput, type AppError } from '../../errors.js';

/**
 * The one message for every failure on the remote side. A status code, a resolved
 * address or ECONNREFUSED-vs-ETIMEDOUT would let a client map the network behind the
 * server, so they stay in `cause` for the log only.
 */
export const FETCH_FAILED_MESSAGE = 'The image could not be fetched from the URL';

/** A policy refusal; `rule` names the rule broken, never a resolved address. */
export function urlForbidden(rule: string): AppError {
  return badInput('IMAGE_URL_FORBIDDEN', `The image URL is not allowed: ${rule}`);
}

/** Any failure of the fetch itself, with the real error kept for the log. */
export function fetchFailed(cause: unknown): AppError {
  return badInput('IMAGE_FETCH_FAILED', FETCH_FAILED_MESSAGE, cause);
}
