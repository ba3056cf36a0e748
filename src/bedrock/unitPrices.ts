import type { CatalogModel } from './catalogModelSchema.js';
import { formatDecimal, parseDecimal } from './costUsd.js';
import type { ServiceTier } from './ServiceTier.js';

/**
 * What one call is charged per million tokens of each kind, as decimal strings: the catalog's
 * prices for the model id called (its inference profile's, see ModelCatalog.find) in the
 * request's service tier. A ledger row keeps them, so its cost never depends on a catalog
 * that has changed since.
 */
export type UnitPrices = Pick<
  CatalogModel,
  'inputUsdPerMillion' | 'outputUsdPerMillion' | 'cacheReadUsdPerMillion' | 'cacheWriteUsdPerMillion'
>;

/** a × b exactly, for non-negative decimal strings. */
function times(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  return formatDecimal(x.units * y.units, x.scale + y.scale);
}

/**
 * The unit prices of a call to `model` (as found for the id called) in `tier`, or undefined
 * when the catalog does not list the tier for the model (the request is then refused).
 */
export function unitPricesFor(model: CatalogModel, tier: ServiceTier): UnitPrices | undefined {
  const base: UnitPrices = {
    inputUsdPerMillion: model.inputUsdPerMillion,
    outputUsdPerMillion: model.outputUsdPerMillion,
    cacheReadUsdPerMillion: model.cacheReadUsdPerMillion,
    cacheWriteUsdPerMillion: model.cacheWriteUsdPerMillion,
  };
  if (tier === 'DEFAULT') return base;
  const factor = model.serviceTiers.find((t) => t.tier === tier)?.priceFactor;
  if (factor === undefined) return undefined;
  const scaled = (price: string | undefined) => (price === undefined ? undefined : times(price, factor));
  return {
    inputUsdPerMillion: times(base.inputUsdPerMillion, factor),
    outputUsdPerMillion: times(base.outputUsdPerMillion, factor),
    cacheReadUsdPerMillion: scaled(base.cacheReadUsdPerMillion),
    cacheWriteUsdPerMillion: scaled(base.cacheWriteUsdPerMillion),
  };
}
