import type { ModelCatalog } from '../bedrock/index.js';
import { ERROR_CODES, isAppError } from '../errors.js';

/**
 * A model id as a metric label: the catalog entry it resolves to, or `other`. Clients choose the
 * id (profiles, ARNs, unknown models), so the raw string would let them create series at will.
 */
export function modelLabel(catalog: ModelCatalog, modelId: string): string {
  return catalog.find(modelId)?.id ?? 'other';
}

/** An error code as a label: one of the registry's codes, or `OTHER` for anything else a client could vary. */
export function codeLabel(code: unknown): string {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? code : 'OTHER';
}

/** The outcome label of a call that threw: its public code, or INTERNAL_SERVER_ERROR for a foreign error. */
export function outcomeOf(error: unknown): string {
  return isAppError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
}
