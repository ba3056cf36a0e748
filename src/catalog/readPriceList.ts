import { z } from 'zod';
import type { CatalogSources, PriceListServiceCode } from '../bedrock/index.js';
import { perMillion } from './decimalPrice.js';
import { modelNameKey } from './modelNameKey.js';

/** On-demand prices of one model, USD per million tokens. */
export interface PriceSet {
  readonly inputUsdPerMillion?: string;
  readonly outputUsdPerMillion?: string;
  readonly cacheReadUsdPerMillion?: string;
  readonly cacheWriteUsdPerMillion?: string;
}

/** A model's Standard-tier on-demand prices in the region: in-region and geographic profiles, and global. */
export interface ModelPrices {
  /** The name the Price List gives the model (`model` or `servicename`). */
  readonly priceListName: string;
  readonly regional: PriceSet;
  readonly global: PriceSet;
}

export interface PriceList {
  /** By {@link modelNameKey} of the Price List's model name. */
  readonly byName: ReadonlyMap<string, ModelPrices>;
  /** Rows that looked like token prices but could not be read, said in words. */
  readonly warnings: readonly string[];
}

const productSchema = z.object({
  product: z.object({ attributes: z.record(z.string(), z.string()) }),
  terms: z.object({
    OnDemand: z
      .record(
        z.string(),
        z.object({
          priceDimensions: z.record(
            z.string(),
            z.object({ unit: z.string(), pricePerUnit: z.object({ USD: z.string() }) }),
          ),
        }),
      )
      .optional(),
  }),
});

// Batch, Flex, Priority, latency-optimized, provisioned, reserved and custom-model SKUs are other
// products with other prices; long-context SKUs price inputs over 200K tokens. None is on-demand Standard.
const NOT_STANDARD_ON_DEMAND = /batch|flex|priority|latency|provisioned|reserved|custom|lctx|long.?context/i;

type Field = keyof PriceSet;

/** Which price a row is, from its usage type and (for AmazonBedrock) its inference type. */
function priceField(text: string): Field | undefined {
  if (/cache.?read/i.test(text)) return 'cacheReadUsdPerMillion';
  if (/cache.?write/i.test(text)) return 'cacheWriteUsdPerMillion';
  if (/input/i.test(text)) return 'inputUsdPerMillion';
  if (/output/i.test(text)) return 'outputUsdPerMillion';
  return undefined;
}

/**
 * Tokens one price unit covers. AmazonBedrock rows say `1K tokens` (or `1M tokens`);
 * AmazonBedrockFoundationModels (Marketplace) rows say `Units` and are priced per million
 * tokens, as their descriptions say.
 */
function tokensPerUnit(code: PriceListServiceCode, unit: string): 1_000 | 1_000_000 | undefined {
  if (/^1k tokens?$/i.test(unit)) return 1_000;
  if (/^1m tokens?$/i.test(unit) || /million/i.test(unit)) return 1_000_000;
  if (code === 'AmazonBedrockFoundationModels' && /^units?$/i.test(unit)) return 1_000_000;
  return undefined;
}

/**
 * The Standard-tier on-demand token prices in a region's Price List products, by model
 * name. Everything else in the offers (batch, flex, priority, provisioned, images, other
 * features) is left out; a row that is a token price but cannot be read becomes a warning.
 */
export function readPriceList(products: CatalogSources['products']): PriceList {
  const byName = new Map<
    string,
    { priceListName: string; regional: Record<string, string>; global: Record<string, string> }
  >();
  const warnings: string[] = [];
  for (const code of Object.keys(products) as PriceListServiceCode[]) {
    for (const raw of products[code]) {
      const parsed = productSchema.safeParse(raw);
      if (!parsed.success) continue;
      const attributes = parsed.data.product.attributes;
      const name = attributes.model ?? attributes.titanModel ?? attributes.servicename;
      const usageType = attributes.usagetype ?? '';
      if (name === undefined) continue;
      if (attributes.feature !== undefined && attributes.feature !== 'On-demand Inference') continue;
      if (attributes.service_tier !== undefined && attributes.service_tier.toLowerCase() !== 'standard') continue;
      if (NOT_STANDARD_ON_DEMAND.test(usageType)) continue;
      const field = priceField(attributes.inferenceType ?? '') ?? priceField(usageType);
      if (field === undefined || !/token/i.test(`${usageType} ${attributes.inferenceType ?? ''}`)) continue;
      for (const term of Object.values(parsed.data.terms.OnDemand ?? {})) {
        for (const dimension of Object.values(term.priceDimensions)) {
          const scale = tokensPerUnit(code, dimension.unit);
          const price = scale === undefined ? undefined : perMillion(dimension.pricePerUnit.USD, scale);
          if (price === undefined) {
            warnings.push(
              `${name} ${usageType}: price ${dimension.pricePerUnit.USD} per "${dimension.unit}" not understood`,
            );
            continue;
          }
          const key = modelNameKey(name);
          const entry = byName.get(key) ?? { priceListName: name, regional: {}, global: {} };
          byName.set(key, entry);
          const scope = /global/i.test(usageType) ? entry.global : entry.regional;
          const known = scope[field];
          if (known !== undefined && known !== price) {
            warnings.push(`${name}: two ${field} prices (${known} and ${price}); kept ${known}`);
          } else {
            scope[field] = price;
          }
        }
      }
    }
  }
  return { byName, warnings };
}
