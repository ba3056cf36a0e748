import type { CatalogModel } from './catalogModelSchema.js';
import type { ModelCatalog } from './modelCatalog.js';

/**
 * Whether Bedrock has retired the model on `on` (default now): marked END_OF_LIFE, or
 * LEGACY with an end-of-life date that has passed (the data may lag behind the calendar).
 * Whether to refuse such a model before calling Bedrock is the caller's policy.
 */
export function isEndOfLife(model: CatalogModel, on: Date = new Date()): boolean {
  if (model.lifecycle === 'END_OF_LIFE') return true;
  return model.endOfLifeDate !== undefined && model.endOfLifeDate <= on.toISOString().slice(0, 10);
}

/**
 * The message for a refused model, naming the catalog's current models so the person
 * reading it knows what to ask for instead. Used for Bedrock's own refusals, and fit for
 * a refusal before any call.
 */
export function modelUnavailableMessage(modelId: string, catalog: ModelCatalog): string {
  const names = catalog
    .current()
    .map((m) => `${m.name} (${m.id})`)
    .join(', ');
  const retired = catalog.find(modelId);
  const why =
    retired !== undefined && isEndOfLife(retired)
      ? `${retired.name} (${modelId}) reached its end of life on Bedrock${retired.endOfLifeDate === undefined ? '' : ` on ${retired.endOfLifeDate}`}`
      : `Bedrock refused model ${modelId}`;
  return `${why}. Pick a current vision model enabled for your account, e.g. ${names}.`;
}
