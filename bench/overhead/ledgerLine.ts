import type { OverloadResult } from './runOverload.js';

/**
 * The ledger against what the generator saw served. A request the generator gave up on (its timeout) may still have
 * been served by the server, and written its row: so rows may exceed the requests served by at most the timeouts.
 */
export function ledgerLine(
  rows: Exclude<OverloadResult['rows'], string>,
  warmUpServed: number,
  served: number,
  timeouts: number,
): string {
  const expected = warmUpServed + served;
  const extra = rows.all - expected;
  const match =
    extra === 0
      ? 'as many as served'
      : extra > 0 && extra <= timeouts
        ? `${extra} more than served, of ${timeouts} requests that timed out at the generator and may have been served after`
        : `${extra > 0 ? `${extra} more` : `${-extra} fewer`} than served: MISMATCH`;
  return `${rows.all} rows (served: ${warmUpServed} warm-up + ${served}; ${match}), ${rows.pending} PENDING, after ${(rows.waitedMs / 1000).toFixed(0)} s`;
}
