import { Prisma } from '../generated/prisma/client.js';

/**
 * The owner of open mode's rows (no API keys defined): one implicit owner, so that
 * idempotency keys and scoping work the same way with and without keys.
 */
export const OPEN_MODE_KEY_ID = '00000000-0000-0000-0000-000000000000';

/** Whose rows a read may see: every row (open mode, an admin key) or one API key's. */
export type LedgerScope = 'ALL' | { readonly apiKeyId: string };

/** The scope as a condition on a description_request row aliased `alias`. */
export function scopeSql(scope: LedgerScope, alias = 'd'): Prisma.Sql {
  if (scope === 'ALL') return Prisma.sql`TRUE`;
  return Prisma.sql`${Prisma.raw(`${alias}."apiKeyId"`)} = ${scope.apiKeyId}::uuid`;
}
