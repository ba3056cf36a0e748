/** The ledger's scale: `costUsd` is `Decimal(20, 12)`. */
const SCALE = 12;

/**
 * A non-negative USD decimal string as an integer count of 10⁻¹² dollars, rounded half up as PostgreSQL rounds a
 * value stored in a `numeric(20, 12)` column. Exact: sums of thousands of costs must compare equal, not nearly.
 */
export function usdUnits(value: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (match === null) throw new Error(`not a non-negative decimal: ${value}`);
  const fraction = match[2] ?? '';
  const kept = BigInt((match[1] ?? '0') + fraction.slice(0, SCALE).padEnd(SCALE, '0'));
  return (fraction[SCALE] ?? '0') >= '5' ? kept + 1n : kept;
}

/** Units back to a decimal string, trailing zeros dropped. */
export function formatUsd(units: bigint): string {
  const digits = units.toString().padStart(SCALE + 1, '0');
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  const whole = digits.slice(0, -SCALE);
  return fraction === '' ? whole : `${whole}.${fraction}`;
}
