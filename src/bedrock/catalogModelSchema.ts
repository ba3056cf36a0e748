import { z } from 'zod';

/** Bedrock's lifecycle states, as its console and `GetFoundationModel` name them. */
export type ModelLifecycle = 'ACTIVE' | 'LEGACY' | 'END_OF_LIFE';

export type ModelProvider = 'Anthropic' | 'Amazon' | 'Meta' | 'Mistral AI';

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
  readonly lifecycle: ModelLifecycle;
  /** ISO date (YYYY-MM-DD) Bedrock moved the model to Legacy, where known. */
  readonly legacyDate?: string | undefined;
  /** ISO date Bedrock retires (LEGACY) or retired (END_OF_LIFE) the model. */
  readonly endOfLifeDate?: string | undefined;
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
    lifecycle: z.enum(['ACTIVE', 'LEGACY', 'END_OF_LIFE']),
    legacyDate: isoDate.optional(),
    endOfLifeDate: isoDate.optional(),
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
  });

/** A catalog file: the built-in `models.json` and any override file share this shape. */
export const catalogFileSchema = z.strictObject(
  { models: z.array(catalogModelSchema) },
  { error: 'must be a JSON object { "models": [ ... ] }' },
);
