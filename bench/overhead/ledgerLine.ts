import type { OverloadResult } from './runOverload.js';
import type { PhaseSummary } from './summarisePhase.js';

type Counts = Pick<PhaseSummary, 'sent' | 'served' | 'refused503'>;

/**
 * The ledger against what the generator saw. Every served request leaves one settled row. A request it saw neither
 * served nor refused with 503 (it timed out there, or failed otherwise) may have left one too: served after the
 * generator gave up, or ended FAILED. So settled rows may exceed the served by at most those; anything else, and any
 * row still PENDING after the wait, is a mismatch.
 */
export function ledgerLine(rows: Exclude<OverloadResult['rows'], string>, warmUp: Counts, phase: Counts): string {
  const unsettled = [warmUp, phase].reduce((n, c) => n + c.sent - c.served - c.refused503, 0);
  const extra = rows.all - rows.pending - (warmUp.served + phase.served);
  const match =
    extra === 0
      ? 'as many settled as served'
      : extra > 0 && extra <= unsettled
        ? `${extra} more than served, of ${unsettled} requests that timed out or failed at the generator and may have left a row`
        : `${extra > 0 ? `${extra} more` : `${-extra} fewer`} settled than served: MISMATCH`;
  const pending = rows.pending === 0 ? '0 PENDING' : `${rows.pending} PENDING: MISMATCH`;
  return `${rows.all} rows (served: ${warmUp.served} warm-up + ${phase.served}; ${match}), ${pending}, after ${(rows.waitedMs / 1000).toFixed(0)} s`;
}
