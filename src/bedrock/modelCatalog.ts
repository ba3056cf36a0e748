import { readFileSync } from 'node:fs';
import { baseModelId, inferenceProfilePrefix } from './baseModelId.js';
import type { CatalogModel } from './catalogModelSchema.js';
import builtInData from './models.json' with { type: 'json' };
import { parseCatalogFile } from './parseCatalogFile.js';

/**
 * The vision models this product knows. A model id outside the catalog still works;
 * its cost is unknown (null) and Bedrock alone decides its limits.
 */
export interface ModelCatalog {
  readonly models: readonly CatalogModel[];
  /**
   * Exact id, or a cross-region inference profile id (`us.`, `eu.`, `apac.`, `global.`,
   * `us-gov.`, `jp.`, `au.`, `ca.` prefixes) or an ARN of a foundation model / inference
   * profile, resolved to its base model. A profile the entry lists is priced at that
   * profile's prices (the same entry, `id` unchanged, other prices). An exact entry wins,
   * so an override file can price one profile apart from its base model entirely.
   */
  find(modelId: string): CatalogModel | undefined;
  /** Active models to suggest when one is refused. */
  current(): readonly CatalogModel[];
}

/** The entry as billed through one of its profiles: the profile's prices, everything else the model's. */
function pricedForProfile(model: CatalogModel, modelId: string): CatalogModel {
  const prefix = inferenceProfilePrefix(modelId);
  const profile = prefix === undefined ? undefined : model.inferenceProfiles.find((p) => p.prefix === prefix);
  if (profile === undefined) return model;
  return Object.freeze({
    ...model,
    inputUsdPerMillion: profile.inputUsdPerMillion,
    outputUsdPerMillion: profile.outputUsdPerMillion,
    cacheReadUsdPerMillion: profile.cacheReadUsdPerMillion,
    cacheWriteUsdPerMillion: profile.cacheWriteUsdPerMillion,
  });
}

/**
 * A catalog over the given models, which must have unique ids and whose successors must
 * be in it (an Error names the first that is not).
 */
export function createModelCatalog(models: readonly CatalogModel[]): ModelCatalog {
  const byId = new Map(models.map((m) => [m.id, m]));
  for (const m of models) {
    if (m.successor !== undefined && !byId.has(m.successor)) {
      throw new Error(`${m.id} names successor ${m.successor}, which is not in the catalog`);
    }
  }
  const current = Object.freeze(models.filter((m) => m.lifecycle === 'ACTIVE'));
  const find = (modelId: string): CatalogModel | undefined => {
    const exact = byId.get(modelId);
    if (exact !== undefined) return exact;
    const base = byId.get(baseModelId(modelId));
    return base === undefined ? undefined : pricedForProfile(base, modelId);
  };
  return Object.freeze({ models: Object.freeze([...models]), find, current: () => current });
}

// The shipped data must say where each fact comes from and when it was checked.
const BUILT_IN_MODELS = parseCatalogFile(builtInData, 'src/bedrock/models.json', { requireProvenance: true });

/** The built-in data (`models.json`), no override. */
export const DEFAULT_MODEL_CATALOG: ModelCatalog = createModelCatalog(BUILT_IN_MODELS);

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Model catalog ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`Model catalog ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The built-in catalog, plus an optional override file in the same format for private
 * prices or models the built-in data does not know yet: an entry with a built-in id
 * replaces that entry whole, a new id is added. Throws an Error that names the file and
 * the problem when the file cannot be read or is invalid.
 */
export function loadModelCatalog(overridePath?: string): ModelCatalog {
  if (overridePath === undefined) return DEFAULT_MODEL_CATALOG;
  const overrides = parseCatalogFile(readJson(overridePath), overridePath);
  const replaced = new Map(overrides.map((m) => [m.id, m]));
  const merged = BUILT_IN_MODELS.map((m) => replaced.get(m.id) ?? m);
  const builtInIds = new Set(BUILT_IN_MODELS.map((m) => m.id));
  try {
    return createModelCatalog([...merged, ...overrides.filter((m) => !builtInIds.has(m.id))]);
  } catch (error) {
    throw new Error(`Model catalog ${overridePath} is invalid: ${(error as Error).message}`, { cause: error });
  }
}
