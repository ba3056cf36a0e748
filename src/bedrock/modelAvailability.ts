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
 * The model to use instead of a retired (or retiring) one: its successor, or the
 * successor's successor while that one is retired too. Undefined when the entry names
 * none, or when every model of the chain has reached its end of life.
 */
export function currentSuccessor(
  model: CatalogModel,
  catalog: ModelCatalog,
  on: Date = new Date(),
): CatalogModel | undefined {
  const seen = new Set([model.id]);
  let next = model.successor === undefined ? undefined : catalog.find(model.successor);
  while (next !== undefined && isEndOfLife(next, on) && !seen.has(next.id)) {
    seen.add(next.id);
    next = next.successor === undefined ? undefined : catalog.find(next.successor);
  }
  return next === undefined || isEndOfLife(next, on) ? undefined : next;
}

/**
 * The start-up warning for a configured default model that Bedrock has retired, naming
 * its successor; undefined when the model is current or unknown to the catalog.
 */
export function endOfLifeDefaultModelNotice(
  defaultModelId: string,
  catalog: ModelCatalog,
  on: Date = new Date(),
): string | undefined {
  const model = catalog.find(defaultModelId);
  if (model === undefined || !isEndOfLife(model, on)) return undefined;
  const successor = currentSuccessor(model, catalog, on);
  const date = model.endOfLifeDate === undefined ? '' : ` on ${model.endOfLifeDate}`;
  const instead =
    successor === undefined
      ? 'Set DEFAULT_MODEL_ID to a current vision model from the catalog.'
      : `Its successor is ${successor.name} (${successor.id}); set DEFAULT_MODEL_ID to it or to an inference profile of it.`;
  return `DEFAULT_MODEL_ID ${defaultModelId} (${model.name}) reached its end of life on Bedrock${date}: requests without a modelId will fail there. ${instead}`;
}

/**
 * The message for a refused model, naming its successor when the catalog knows one and
 * the catalog's current models, so the person reading it knows what to ask for instead.
 * Used for Bedrock's own refusals, and fit for a refusal before any call.
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
  const successor = retired === undefined ? undefined : currentSuccessor(retired, catalog);
  const instead = successor === undefined ? '' : ` Its successor is ${successor.name} (${successor.id}).`;
  return `${why}.${instead} Pick a current vision model enabled for your account, e.g. ${names}.`;
}
