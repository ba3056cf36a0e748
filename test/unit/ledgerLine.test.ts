import { describe, expect, it } from 'vitest';
import { ledgerLine } from '../../bench/overhead/ledgerLine.js';

describe("the overload benchmark's ledger line", () => {
  const rows = (all: number, pending = 0) => ({ all, pending, waitedMs: 3_000 });
  const warmUp = { sent: 100, served: 100, refused503: 0 };
  /** A phase of 20 000 requests: `served`, `refused` with 503, the rest timed out or failed at the generator. */
  const phase = (served: number, refused: number) => ({ sent: 20_000, served, refused503: refused });

  it('says the settled rows match the requests served', () => {
    expect(ledgerLine(rows(2173), warmUp, phase(2073, 17_927))).toBe(
      '2173 rows (served: 100 warm-up + 2073; as many settled as served), 0 PENDING, after 3 s',
    );
  });

  it('puts rows beyond the served down to requests that timed out or failed, as far as there were any', () => {
    // 200 timed out at the generator; one of them was served by the server after all.
    expect(ledgerLine(rows(1499), warmUp, phase(1398, 18_402))).toContain(
      '1 more than served, of 200 requests that timed out or failed at the generator and may have left a row',
    );
    // The warm-up's counts too.
    expect(ledgerLine(rows(1499), { sent: 100, served: 99, refused503: 0 }, phase(1399, 18_601))).toContain(
      '1 more than served, of 1 requests',
    );
    expect(ledgerLine(rows(1499), warmUp, phase(1398, 18_602))).toContain('1 more settled than served: MISMATCH');
  });

  it('calls fewer settled rows than served, or rows left PENDING, a mismatch', () => {
    expect(ledgerLine(rows(2000), warmUp, phase(2000, 18_000))).toContain('100 fewer settled than served: MISMATCH');
    // As many rows as served, but one of them never settled.
    expect(ledgerLine(rows(2173, 1), warmUp, phase(2073, 17_927))).toContain(
      '1 fewer settled than served: MISMATCH), 1 PENDING: MISMATCH',
    );
  });
});
