/** Decimal strings as integers of 10^-18 USD: an exact oracle for the API's cost arithmetic. */
const SCALE = 18;

export function toAtto(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole! + fraction.padEnd(SCALE, '0').slice(0, SCALE));
}

export function fromAtto(units: bigint): string {
  const digits = units.toString().padStart(SCALE + 1, '0');
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return fraction === '' ? digits.slice(0, -SCALE) : `${digits.slice(0, -SCALE)}.${fraction}`;
}

/** tokens × price per million, exactly. */
export function tokenCost(tokens: number, usdPerMillion: string): bigint {
  return (BigInt(tokens) * toAtto(usdPerMillion)) / 1_000_000n;
}
