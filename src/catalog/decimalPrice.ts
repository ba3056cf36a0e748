/**
 * A price from the Price List (`"0.0000600000"` USD per 1K tokens) as the catalog writes it:
 * USD per million tokens, exact, without trailing zeros (`"0.06"`). Decimal strings are
 * shifted, never multiplied as floats, so a price read is a price charged.
 */
export function perMillion(usd: string, tokensPerUnit: 1_000 | 1_000_000): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(usd.trim());
  if (match === null) return undefined;
  const shift = tokensPerUnit === 1_000 ? 3 : 0;
  const fraction = (match[2] ?? '').padEnd(shift, '0');
  const whole = (match[1] + fraction.slice(0, shift)).replace(/^0+(?=\d)/, '');
  const rest = fraction.slice(shift).replace(/0+$/, '');
  return rest === '' ? whole : `${whole}.${rest}`;
}
