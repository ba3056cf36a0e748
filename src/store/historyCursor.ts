import { badInput } from '../errors.js';
import type { HistoryKey } from './HistoryFilter.js';

// The ordering is part of the cursor so that a cursor can never be replayed against
// another ordering and silently return a wrong page.
const ORDERING = 'createdAt:desc,id:desc';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque Relay cursor for a ledger row in newest-first order. */
export function encodeHistoryCursor(key: HistoryKey): string {
  return Buffer.from(JSON.stringify([ORDERING, key.createdAt.toISOString(), key.id])).toString('base64url');
}

/** The row position a cursor names; BAD_USER_INPUT/CURSOR_INVALID for anything else. */
export function decodeHistoryCursor(cursor: string): HistoryKey {
  const invalid = () => badInput('CURSOR_INVALID', 'The cursor is not one this API issued for this ordering');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== ORDERING) throw invalid();
  const [, iso, id] = value as unknown[];
  if (typeof iso !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) throw invalid();
  return { createdAt, id };
}
