import type { VisionUsage } from './VisionModel.js';
import type { UnitPrices } from './unitPrices.js';

/** A non-negative decimal string as an integer and a count of decimal places. */
export function parseDecimal(value: string): { units: bigint; scale: number } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (match === null) throw new Error(`not a non-negative decimal: ${value}`);
  const fraction = match[2] ?? '';
  return { units: BigInt(match[1] + fraction), scale: fraction.length };
}

/** The inverse of parseDecimal, without trailing zeros. */
export function formatDecimal(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** The exact sum of non-negative decimal strings ('0' for none). */
export function sumUsd(values: readonly string[]): string {
  const parsed = values.map(parseDecimal);
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  const total = parsed.reduce((sum, p) => sum + p.units * 10n ** BigInt(scale - p.scale), 0n);
  return formatDecimal(total, scale);
}

function tokenCount(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer`);
  return BigInt(value);
}

/**
 * Σ tokens × price per million, exactly: integer arithmetic on prices scaled to a common
 * number of decimals, so stored costs add up to the cent and beyond (floating point
 * would drift over a million rows).
 */
function priceTokens(terms: readonly (readonly [tokens: bigint, usdPerMillion: string])[]): string {
  const prices = terms.map(([, price]) => parseDecimal(price));
  const scale = Math.max(0, ...prices.map((p) => p.scale));
  let total = 0n;
  terms.forEach(([tokens], i) => {
    total += tokens * prices[i].units * 10n ** BigInt(scale - prices[i].scale);
  });
  // Prices are per million tokens: six more decimal places, still exact.
  return formatDecimal(total, scale + 6);
}

/**
 * Exact cost of a call in USD as a decimal string. Tokens read from or written to the
 * prompt cache are counted apart from `inputTokens` by Bedrock and priced at the cache
 * prices; a model without a cache price (an override file may omit it) has them priced
 * as plain input, the closest honest figure.
 */
export function costUsd(usage: VisionUsage, model: UnitPrices): string {
  return priceTokens([
    [tokenCount(usage.inputTokens, 'inputTokens'), model.inputUsdPerMillion],
    [tokenCount(usage.outputTokens, 'outputTokens'), model.outputUsdPerMillion],
    [
      tokenCount(usage.cacheReadInputTokens ?? 0, 'cacheReadInputTokens'),
      model.cacheReadUsdPerMillion ?? model.inputUsdPerMillion,
    ],
    [
      tokenCount(usage.cacheWriteInputTokens ?? 0, 'cacheWriteInputTokens'),
      model.cacheWriteUsdPerMillion ?? model.inputUsdPerMillion,
    ],
  ]);
}

/**
 * The most a call can cost before it is made, in USD as a decimal string: the estimated
 * input at the input price plus `maxTokens` of output at the output price (the model
 * may stop earlier, never later). The product's requests set no cache points, so no
 * cache-write premium can raise the real cost above it.
 */
export function estimatedCostUsd(estimatedInputTokens: number, maxTokens: number, model: UnitPrices): string {
  return priceTokens([
    [tokenCount(estimatedInputTokens, 'estimatedInputTokens'), model.inputUsdPerMillion],
    [tokenCount(maxTokens, 'maxTokens'), model.outputUsdPerMillion],
  ]);
}
