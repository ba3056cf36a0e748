import type { z } from 'zod';
import { catalogFileSchema, type CatalogModel, type InferenceProfilePrices } from './catalogModelSchema.js';

type ParsedModel = z.output<typeof catalogFileSchema>['models'][number];

/** A profile's prices, each one the model's own where the file leaves it out. */
function profilePrices(model: ParsedModel, profile: ParsedModel['inferenceProfiles'][number]): InferenceProfilePrices {
  const prices: InferenceProfilePrices = {
    prefix: profile.prefix,
    inputUsdPerMillion: profile.inputUsdPerMillion ?? model.inputUsdPerMillion,
    outputUsdPerMillion: profile.outputUsdPerMillion ?? model.outputUsdPerMillion,
    cacheReadUsdPerMillion: profile.cacheReadUsdPerMillion ?? model.cacheReadUsdPerMillion,
    cacheWriteUsdPerMillion: profile.cacheWriteUsdPerMillion ?? model.cacheWriteUsdPerMillion,
  };
  return Object.freeze(prices);
}

export interface ParseCatalogOptions {
  /** Every entry must say where its facts come from (`source`) and when they were checked (`asOf`). */
  readonly requireProvenance?: boolean;
}

/** `models[3].inputUsdPerMillion`, with the entry's id when it has one so a person can find it. */
function issuePath(issue: z.core.$ZodIssue, data: unknown): string {
  let text = '';
  let node: unknown = data;
  for (const key of issue.path) {
    text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
    node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    const id = typeof node === 'object' && node !== null ? (node as { id?: unknown }).id : undefined;
    if (typeof key === 'number' && typeof id === 'string') text += ` (${id})`;
  }
  return text === '' ? '(top level)' : text;
}

/**
 * Validates the parsed JSON of a catalog file and returns its models frozen. Throws an
 * Error naming the file and every problem found, so a hand edit that breaks the file
 * stops the process at start-up with a message that says which entry to fix.
 */
export function parseCatalogFile(
  data: unknown,
  source: string,
  options: ParseCatalogOptions = {},
): readonly CatalogModel[] {
  const parsed = catalogFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issuePath(issue, data)}: ${issue.message}`);
    throw new Error(`Model catalog ${source} is invalid: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  for (const [index, model] of parsed.data.models.entries()) {
    if (seen.has(model.id)) throw new Error(`Model catalog ${source} is invalid: ${model.id} is listed twice`);
    seen.add(model.id);
    if (options.requireProvenance && (model.source === undefined || model.asOf === undefined)) {
      throw new Error(
        `Model catalog ${source} is invalid: models[${index}] (${model.id}) needs a source and an asOf date`,
      );
    }
  }
  return Object.freeze(
    parsed.data.models.map((model): CatalogModel =>
      Object.freeze({
        ...model,
        inferenceProfiles: Object.freeze(model.inferenceProfiles.map((p) => profilePrices(model, p))),
        serviceTiers: Object.freeze(model.serviceTiers.map((t) => Object.freeze(t))),
        ...(model.uncertain === undefined ? {} : { uncertain: Object.freeze(model.uncertain) }),
      }),
    ),
  );
}
