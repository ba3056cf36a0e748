import { z } from 'zod';
import type { OptionalServiceTier } from './ServiceTier.js';

/** Bedrock's lifecycle states, as its console and `GetFoundationModel` name them. */
export type ModelLifecycle = 'ACTIVE' | 'LEGACY' | 'END_OF_LIFE';

export type ModelProvider = 'Anthropic' | 'Amazon' | 'Meta' | 'Mistral AI';

/**
 * Which sampling parameters Bedrock takes for a model. `ANY`: temperature and topP, alone
 * or together. `ONE_OF`: one of them, not both (Claude Opus 4.1, Sonnet/Haiku/Opus 4.5,
 * Opus/Sonnet 4.6 answer 400 "temperature and top_p cannot both be specified"). `NONE`:
 * neither (Claude Opus 4.7 and later answer 400 "`temperature` is deprecated for this model").
 */
export type ModelSampling = 'ANY' | 'ONE_OF' | 'NONE';

/** System-defined cross-region inference profile prefixes, as in `us.anthropic.claude-sonnet-4-6`. */
export const INFERENCE_PROFILE_PREFIXES = ['us', 'eu', 'apac', 'global', 'us-gov', 'jp', 'au', 'ca'] as const;
export type InferenceProfilePrefix = (typeof INFERENCE_PROFILE_PREFIXES)[number];

/**
 * One cross-region inference profile of a model and what a call through it costs. Bedrock
 * prices geographic profiles (`us.`, `eu.`, `jp.` …) as the model in-region, and from
 * Claude 4.5 on the `global.` profile about 10 % lower, so each profile carries its prices.
 */
export interface InferenceProfilePrices {
  readonly prefix: InferenceProfilePrefix;
  readonly inputUsdPerMillion: string;
  readonly outputUsdPerMillion: string;
  readonly cacheReadUsdPerMillion?: string | undefined;
  readonly cacheWriteUsdPerMillion?: string | undefined;
}

/**
 * A service tier a model offers besides DEFAULT and what it costs: every price of the entry
 * (and of the profile called) times `priceFactor`, a decimal string. Bedrock quotes Flex at
 * 50 % of Standard and Priority at a 75 % premium (factors "0.5" and "1.75").
 */
export interface ServiceTierPrices {
  readonly tier: OptionalServiceTier;
  readonly priceFactor: string;
}

/**
 * A Bedrock vision model as the product knows it: on-demand prices in USD per million
 * tokens as decimal strings (never floats: costs are computed exactly from them), the
 * request limits Bedrock enforces for it, and where it is in Bedrock's lifecycle.
 */
export interface CatalogModel {
  /** The base model id, e.g. `anthropic.claude-3-sonnet-20240229-v1:0`. */
  readonly id: string;
  readonly name: string;
  readonly provider: ModelProvider;
  readonly inputUsdPerMillion: string;
  readonly outputUsdPerMillion: string;
  /** Price of input tokens read from the prompt cache; absent where Bedrock has no prompt caching for the model. */
  readonly cacheReadUsdPerMillion?: string | undefined;
  /** Price of input tokens written to the prompt cache (5-minute TTL). */
  readonly cacheWriteUsdPerMillion?: string | undefined;
  readonly maxOutputTokens: number;
  /** Images per request. */
  readonly maxImages: number;
  /** Bytes per image as sent. */
  readonly maxImageBytes: number;
  /** Pixels on the longer side of an image. */
  readonly maxImageSide: number;
  /** Whether InvokeModel's Anthropic Messages body (the seed's) applies. */
  readonly anthropicMessagesBody: boolean;
  /** Stop sequences per request; 0 where the model takes none. */
  readonly maxStopSequences: number;
  /** Highest temperature the model accepts (the lowest is 0 for every model here). */
  readonly temperatureMax: number;
  /** Which of temperature and topP the model takes; a request with one it refuses is refused before any call. */
  readonly sampling: ModelSampling;
  readonly lifecycle: ModelLifecycle;
  /** ISO date (YYYY-MM-DD) Bedrock moved the model to Legacy, where known. */
  readonly legacyDate?: string | undefined;
  /** ISO date Bedrock retires (LEGACY) or retired (END_OF_LIFE) the model. */
  readonly endOfLifeDate?: string | undefined;
  /** Base id of the model Bedrock (or the provider) recommends instead, once this one is retired or retiring. */
  readonly successor?: string | undefined;
  /**
   * The system-defined inference profiles Bedrock offers for the model, each with its
   * prices (filled in from the entry's own prices where the file leaves them out). The
   * entry's own prices are those of the model in-region.
   */
  readonly inferenceProfiles: readonly InferenceProfilePrices[];
  /** The service tiers besides DEFAULT Bedrock serves the model in; a request for another tier is refused before any call. */
  readonly serviceTiers: readonly ServiceTierPrices[];
  /**
   * The date (YYYY-MM-DD) the entry's prices took effect. A row keeps the unit prices it was
   * charged, so a later change of prices (a new date here) never alters a recorded cost.
   */
  readonly pricesEffectiveFrom?: string | undefined;
  /** Where the facts of this entry were checked (a URL, or the APIs catalog:update read). Required in models.json. */
  readonly source?: string | undefined;
  /** The date (YYYY-MM-DD) the facts were checked against the source. Required in models.json. */
  readonly asOf?: string | undefined;
  /** Fields whose value could not be verified against a source and is a best estimate. */
  readonly uncertain?: readonly string[] | undefined;
  /** Free text for people editing the file: sources, doubts. Ignored by the code. */
  readonly note?: string | undefined;
}

// The same grammar costUsd parses, so a price that loads is a price that can be charged.
const PRICE_FORMAT = 'must be a non-negative decimal string such as "3" or "0.25" (a JSON string, not a number)';
const price = z.string({ error: PRICE_FORMAT }).regex(/^\d+(\.\d+)?$/, PRICE_FORMAT);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'is not a calendar date');

const positiveInt = z.int().positive();

const profilePricesSchema = z.strictObject({
  prefix: z.enum(INFERENCE_PROFILE_PREFIXES),
  inputUsdPerMillion: price.optional(),
  outputUsdPerMillion: price.optional(),
  cacheReadUsdPerMillion: price.optional(),
  cacheWriteUsdPerMillion: price.optional(),
});

/** Fields `uncertain` may name: the facts an entry states, in models.json's order. */
export const CATALOG_FACT_FIELDS = [
  'name',
  'inputUsdPerMillion',
  'outputUsdPerMillion',
  'cacheReadUsdPerMillion',
  'cacheWriteUsdPerMillion',
  'maxOutputTokens',
  'maxImages',
  'maxImageBytes',
  'maxImageSide',
  'anthropicMessagesBody',
  'maxStopSequences',
  'temperatureMax',
  'sampling',
  'lifecycle',
  'legacyDate',
  'endOfLifeDate',
  'successor',
  'inferenceProfiles',
  'serviceTiers',
  'pricesEffectiveFrom',
] as const;

const catalogModelSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9-]+\.[A-Za-z0-9._:-]+$/, 'must be a Bedrock base model id such as "amazon.nova-lite-v1:0"'),
    name: z.string().min(1),
    provider: z.enum(['Anthropic', 'Amazon', 'Meta', 'Mistral AI']),
    inputUsdPerMillion: price,
    outputUsdPerMillion: price,
    cacheReadUsdPerMillion: price.optional(),
    cacheWriteUsdPerMillion: price.optional(),
    maxOutputTokens: positiveInt,
    maxImages: positiveInt,
    maxImageBytes: positiveInt,
    maxImageSide: positiveInt,
    anthropicMessagesBody: z.boolean(),
    maxStopSequences: z.int().nonnegative(),
    temperatureMax: z.number().positive(),
    sampling: z.enum(['ANY', 'ONE_OF', 'NONE']).default('ANY'),
    lifecycle: z.enum(['ACTIVE', 'LEGACY', 'END_OF_LIFE']),
    legacyDate: isoDate.optional(),
    endOfLifeDate: isoDate.optional(),
    successor: z.string().min(1).optional(),
    inferenceProfiles: z.array(profilePricesSchema).default([]),
    serviceTiers: z
      .array(z.strictObject({ tier: z.enum(['PRIORITY', 'FLEX']), priceFactor: price }))
      .default([])
      .refine((tiers) => new Set(tiers.map((t) => t.tier)).size === tiers.length, 'lists a tier twice'),
    pricesEffectiveFrom: isoDate.optional(),
    source: z.string().min(1).optional(),
    asOf: isoDate.optional(),
    uncertain: z.array(z.enum(CATALOG_FACT_FIELDS)).optional(),
    note: z.string().optional(),
  })
  .superRefine((model, context) => {
    // Bedrock moves a model to Legacy when it announces the end-of-life date, so dates
    // on an ACTIVE entry, or a LEGACY one without its date, mean the entry is out of date.
    if (model.lifecycle === 'ACTIVE' && (model.legacyDate !== undefined || model.endOfLifeDate !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['lifecycle'],
        message: 'is ACTIVE but the entry has a legacyDate or endOfLifeDate: make it LEGACY or END_OF_LIFE',
      });
    }
    if (model.lifecycle === 'LEGACY' && model.endOfLifeDate === undefined) {
      context.addIssue({ code: 'custom', path: ['endOfLifeDate'], message: 'is required for a LEGACY model' });
    }
    if (model.anthropicMessagesBody && model.provider !== 'Anthropic') {
      context.addIssue({
        code: 'custom',
        path: ['anthropicMessagesBody'],
        message: 'can only be true for an Anthropic model',
      });
    }
    const prefixes = model.inferenceProfiles.map((p) => p.prefix);
    if (new Set(prefixes).size !== prefixes.length) {
      context.addIssue({ code: 'custom', path: ['inferenceProfiles'], message: 'lists a prefix twice' });
    }
    if (model.successor === model.id) {
      context.addIssue({ code: 'custom', path: ['successor'], message: 'cannot be the model itself' });
    }
  });

/** A catalog file: the built-in `models.json` and any override file share this shape. */
export const catalogFileSchema = z.strictObject(
  { models: z.array(catalogModelSchema) },
  { error: 'must be a JSON object { "models": [ ... ] }' },
);
