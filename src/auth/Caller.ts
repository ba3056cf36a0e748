import { AppError } from '../errors.js';
import { OPEN_MODE_KEY_ID, type ApiKeyRecord, type HistoryFilter, type LedgerScope } from '../store/index.js';

/**
 * Who is calling: open mode (no keys defined: one laptop, one implicit owner) or an API key.
 * Every transport authenticates to one of these, and every read and write takes its owner
 * and scope from it.
 */
export type Caller = { readonly kind: 'open' } | { readonly kind: 'key'; readonly key: ApiKeyRecord };

export const OPEN_CALLER: Caller = Object.freeze({ kind: 'open' });

/** The apiKeyId the caller's rows are written with. */
export function ownerOf(caller: Caller): string {
  return caller.kind === 'key' ? caller.key.id : OPEN_MODE_KEY_ID;
}

/** Open mode and admin keys see the whole ledger; every other key sees its own rows only. */
export function isAdmin(caller: Caller): boolean {
  return caller.kind === 'open' || caller.key.admin;
}

export function scopeOf(caller: Caller): LedgerScope {
  return isAdmin(caller) ? 'ALL' : { apiKeyId: ownerOf(caller) };
}

/**
 * A history filter limited to what the caller may read: a non-admin key's filter always
 * names exactly its own key; asking for another key's rows is refused.
 */
export function scopeFilter(caller: Caller, filter: HistoryFilter): HistoryFilter {
  if (isAdmin(caller)) return filter;
  if (filter.apiKeyId !== undefined) throw forbidden('Only admin keys filter by API key');
  return { ...filter, apiKeyId: [ownerOf(caller)] };
}

export function forbidden(message: string): AppError {
  return new AppError('FORBIDDEN', message);
}

/** Binds cursors (and anything else handed to a client for later) to the caller that received it. */
export function bindingOf(caller: Caller): string {
  return ownerOf(caller);
}

/** For logs: never the secret. */
export function callerLabel(caller: Caller): string {
  return caller.kind === 'key' ? caller.key.prefix : 'open';
}
