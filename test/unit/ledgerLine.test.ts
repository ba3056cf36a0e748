import { describe, expect, it } from 'vitest';
import { ledgerLine } from '../../bench/overhead/ledgerLine.js';

describe("the overload benchmark's ledger line", () => {
  const settled = (all: number) => ({ all, pending: 0, waitedMs: 3_000 });

  it('says the rows match the requests served', () => {
    expect(ledgerLine(settled(2173), 100, 2073, 0)).toBe(
      '2173 rows (served: 100 warm-up + 2073; as many as served), 0 PENDING, after 3 s',
    );
  });

  it('puts rows beyond the served down to requests that timed out at the generator, as far as there were any', () => {
    expect(ledgerLine(settled(1499), 100, 1398, 200)).toContain(
      '1 more than served, of 200 requests that timed out at the generator and may have been served after',
    );
    expect(ledgerLine(settled(1499), 100, 1398, 0)).toContain('1 more than served: MISMATCH');
  });

  it('calls fewer rows than served a mismatch', () => {
    expect(ledgerLine(settled(2000), 100, 2000, 50)).toContain('100 fewer than served: MISMATCH');
  });
});
