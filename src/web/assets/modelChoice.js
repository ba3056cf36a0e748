// @ts-check
// Which model the describe form starts on. Pure (no DOM, no requests), so it is unit-tested.

/** @typedef {import('./catalog.js').CatalogModel} CatalogModel */

/**
 * The model the describe form starts with: the server's default, unless the catalog says it is
 * at end of life (a request would be refused), then the model the catalog names as its
 * successor (followed while that one is retired too), or else its nearest current replacement.
 * @param {readonly CatalogModel[]} models @param {string} defaultModelId
 * @returns {CatalogModel | undefined} undefined: leave the choice to the server
 */
export function initialModel(models, defaultModelId) {
  const byId = new Map(models.map((m) => [m.id, m]));
  const chosen = byId.get(defaultModelId);
  if (chosen === undefined || !isEndOfLife(chosen)) return undefined;
  let model = chosen;
  // Bounded by the catalog's size, so a cycle of successors cannot hang the page.
  for (let step = 0; step < models.length && isEndOfLife(model); step++) {
    const next = model.successor === null ? undefined : byId.get(model.successor);
    if (next === undefined) break;
    model = next;
  }
  return isEndOfLife(model) ? replacementFor(chosen, models) : model;
}

/**
 * Retired, or past an announced end-of-life date (the catalog's data may lag the calendar),
 * as the server decides it (bedrock/modelAvailability.ts).
 * @param {CatalogModel} model
 */
export const isEndOfLife = (model) =>
  model.lifecycle === 'END_OF_LIFE' ||
  (model.endOfLifeDate !== null && model.endOfLifeDate <= new Date().toISOString().slice(0, 10));

/**
 * A current model to use instead of a retired one whose catalog entry names no usable
 * successor: an ACTIVE model of the same provider at the nearest price (a Sonnet for a Sonnet,
 * not an Opus), the later one in the catalog on a tie (the catalog lists a family oldest
 * first); any ACTIVE model when the provider has none left.
 * @param {CatalogModel} retired @param {readonly CatalogModel[]} models
 */
export function replacementFor(retired, models) {
  const active = models.filter((m) => m.lifecycle === 'ACTIVE');
  const sameProvider = active.filter((m) => m.provider === retired.provider);
  const candidates = sameProvider.length > 0 ? sameProvider : active;
  const price = (/** @type {CatalogModel} */ m) => Number(m.inputUsdPerMillion) + Number(m.outputUsdPerMillion);
  /** @type {CatalogModel | undefined} */
  let best;
  for (const m of candidates) {
    const distance = Math.abs(price(m) - price(retired));
    if (best === undefined || distance <= Math.abs(price(best) - price(retired))) best = m;
  }
  return best;
}
