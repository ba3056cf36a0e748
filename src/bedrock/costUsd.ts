import type { TokenUsage } from './VisionModel.js';
import type { CatalogModel } from './modelCatalog.js';

/** A non-negative decimal string as an integer and a count of decimal places. */
function parseDecimal(value: string): { units: bigint; scale: number } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (match === null) throw new Error(`not a non-negative decimal: ${value}`);
  const fraction = match[2] ?? '';
  return { units: BigInt(match[1] + fraction), scale: fraction.length };
}

function formatDecimal(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/**
 * Exact cost of a call in USD as a decimal string: tokens × price per million.
 * Integer arithmetic on scaled prices, so stored costs add up to the cent and beyond
 * (floating point would drift over a million rows).
 */
export function costUsd(usage: TokenUsage, model: CatalogModel): string {
  const input = parseDecimal(model.inputUsdPerMillion);
  const output = parseDecimal(model.outputUsdPerMillion);
  const scale = Math.max(input.scale, output.scale);
  const widen = (d: { units: bigint; scale: number }) => d.units * 10n ** BigInt(scale - d.scale);
  const total = BigInt(usage.inputTokens) * widen(input) + BigInt(usage.outputTokens) * widen(output);
  // Prices are per million tokens: six more decimal places, still exact.
  return formatDecimal(total, scale + 6);
}
