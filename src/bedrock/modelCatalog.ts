import { readFileSync } from 'node:fs';
import { baseModelId } from './baseModelId.js';
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
   * profile, resolved to its base model. An exact entry wins, so an override file can
   * price one profile differently from its base model.
   */
  find(modelId: string): CatalogModel | undefined;
  /** Active models to suggest when one is refused. */
  current(): readonly CatalogModel[];
}

/** A catalog over the given models, which must have unique ids. */
export function createModelCatalog(models: readonly CatalogModel[]): ModelCatalog {
  const byId = new Map(models.map((m) => [m.id, m]));
  const current = Object.freeze(models.filter((m) => m.lifecycle === 'ACTIVE'));
  return Object.freeze({
    models: Object.freeze([...models]),
    find: (modelId: string) => byId.get(modelId) ?? byId.get(baseModelId(modelId)),
    current: () => current,
  });
}

const BUILT_IN_MODELS = parseCatalogFile(builtInData, 'src/bedrock/models.json');

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
  return createModelCatalog([...merged, ...overrides.filter((m) => !builtInIds.has(m.id))]);
}
