import type { FoundationModelSummary } from '@aws-sdk/client-bedrock';
import {
  CATALOG_FACT_FIELDS,
  INFERENCE_PROFILE_PREFIXES,
  type CatalogModel,
  type CatalogSources,
  type InferenceProfilePrefix,
  type ModelProvider,
} from '../bedrock/index.js';
import { modelNameKey } from './modelNameKey.js';
import { readPriceList, type PriceSet } from './readPriceList.js';

/** A catalog entry as written to the override file: profiles may leave their prices to the entry. */
export type CatalogEntry = Omit<CatalogModel, 'inferenceProfiles'> & {
  readonly inferenceProfiles: readonly ({ readonly prefix: InferenceProfilePrefix } & PriceSet)[];
};

/** One fact of one model that the APIs state differently from the built-in catalog. */
export interface FieldChange {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

export interface CatalogUpdate {
  readonly region: string;
  readonly asOf: string;
  /** Entries for the override file: models whose facts differ from the built-in catalog, and new ones. */
  readonly entries: readonly CatalogEntry[];
  readonly changed: readonly { readonly entry: CatalogEntry; readonly changes: readonly FieldChange[] }[];
  readonly added: readonly CatalogEntry[];
  /** Built-in models Bedrock does not list in the region (retired, or not offered there); left as built in. */
  readonly unlisted: readonly CatalogModel[];
  /** Vision models Bedrock lists that could not be written, and why. */
  readonly skipped: readonly { readonly modelId: string; readonly reason: string }[];
  readonly warnings: readonly string[];
}

const PROVIDERS: Readonly<Record<string, ModelProvider>> = {
  anthropic: 'Anthropic',
  amazon: 'Amazon',
  meta: 'Meta',
  'mistral ai': 'Mistral AI',
  mistral: 'Mistral AI',
};

/**
 * What Bedrock's general image limits allow, for a model the built-in catalog does not know
 * yet (3.75 MB and 8000 px per image, 20 images per request); the entry marks them uncertain.
 */
const NEW_MODEL_DEFAULTS = {
  maxOutputTokens: 4096,
  maxImages: 20,
  maxImageBytes: 3_932_160,
  maxImageSide: 8000,
  maxStopSequences: 4,
  temperatureMax: 1,
  sampling: 'ANY',
} as const;

/** The facts compared and reported; provenance and notes are not facts. */
const FACTS = [
  'name',
  'lifecycle',
  'legacyDate',
  'endOfLifeDate',
  'inputUsdPerMillion',
  'outputUsdPerMillion',
  'cacheReadUsdPerMillion',
  'cacheWriteUsdPerMillion',
  'inferenceProfiles',
] as const;

/** The facts whose change is a change of prices (and so of pricesEffectiveFrom). */
const PRICE_FACTS = new Set<(typeof FACTS)[number]>([
  'inputUsdPerMillion',
  'outputUsdPerMillion',
  'cacheReadUsdPerMillion',
  'cacheWriteUsdPerMillion',
  'inferenceProfiles',
]);

const day = (date: Date | undefined) => date?.toISOString().slice(0, 10);

function isVisionModel(summary: FoundationModelSummary): boolean {
  return (summary.inputModalities ?? []).includes('IMAGE') && (summary.outputModalities ?? []).includes('TEXT');
}

/** The lifecycle the control plane states; Bedrock drops models from the list once they reach end of life. */
function lifecycleOf(summary: FoundationModelSummary, built: CatalogModel | undefined) {
  const lifecycle = summary.modelLifecycle;
  if (lifecycle?.status === 'LEGACY') {
    const endOfLifeDate = day(lifecycle.endOfLifeTime) ?? built?.endOfLifeDate;
    if (endOfLifeDate === undefined) return undefined;
    return {
      lifecycle: 'LEGACY' as const,
      legacyDate: day(lifecycle.legacyTime) ?? built?.legacyDate,
      endOfLifeDate,
    };
  }
  return { lifecycle: 'ACTIVE' as const, legacyDate: undefined, endOfLifeDate: undefined };
}

function profileText(entry: Pick<CatalogEntry, 'inferenceProfiles'> & PriceSet): string {
  if (entry.inferenceProfiles.length === 0) return '(none)';
  // In one order, so a file listing the same profiles in another order is no change.
  const order = (p: { prefix: InferenceProfilePrefix }) => INFERENCE_PROFILE_PREFIXES.indexOf(p.prefix);
  return [...entry.inferenceProfiles]
    .sort((a, b) => order(a) - order(b))
    .map((p) => {
      const input = p.inputUsdPerMillion ?? entry.inputUsdPerMillion;
      const output = p.outputUsdPerMillion ?? entry.outputUsdPerMillion;
      return `${p.prefix} ${input}/${output}`;
    })
    .join(', ');
}

function factText(entry: CatalogEntry | CatalogModel, field: (typeof FACTS)[number]): string {
  if (field === 'inferenceProfiles') return profileText(entry);
  return String(entry[field] ?? '(none)');
}

/**
 * The inference profiles after the update: those the region's control plane lists, priced
 * from the Price List (global apart, geographic ones at the entry's prices), plus the built-in
 * profiles of other geographies, which a region's `ListInferenceProfiles` does not show.
 */
function profilesOf(
  modelId: string,
  sources: CatalogSources,
  built: CatalogModel | undefined,
  globalPrices: PriceSet,
): CatalogEntry['inferenceProfiles'] {
  const listed = new Set<InferenceProfilePrefix>();
  for (const profile of sources.inferenceProfiles) {
    const id = profile.inferenceProfileId ?? '';
    const prefix = INFERENCE_PROFILE_PREFIXES.find((p) => id === `${p}.${modelId}`);
    if (prefix !== undefined && profile.status === 'ACTIVE') listed.add(prefix);
  }
  const builtProfiles = new Map((built?.inferenceProfiles ?? []).map((p) => [p.prefix, p]));
  const prefixes = INFERENCE_PROFILE_PREFIXES.filter((p) => listed.has(p) || builtProfiles.has(p));
  return prefixes.map((prefix) => {
    if (prefix === 'global' && Object.keys(globalPrices).length > 0) {
      const known = builtProfiles.get('global');
      return {
        prefix,
        inputUsdPerMillion: globalPrices.inputUsdPerMillion ?? known?.inputUsdPerMillion,
        outputUsdPerMillion: globalPrices.outputUsdPerMillion ?? known?.outputUsdPerMillion,
        cacheReadUsdPerMillion: globalPrices.cacheReadUsdPerMillion ?? known?.cacheReadUsdPerMillion,
        cacheWriteUsdPerMillion: globalPrices.cacheWriteUsdPerMillion ?? known?.cacheWriteUsdPerMillion,
      };
    }
    // A profile the region cannot see, with prices of its own in the built-in catalog, keeps them.
    const known = builtProfiles.get(prefix);
    if (
      !listed.has(prefix) &&
      known !== undefined &&
      built !== undefined &&
      known.inputUsdPerMillion !== built.inputUsdPerMillion
    ) {
      return known;
    }
    return { prefix };
  });
}

/** The order of models.json, so a written file reads like the built-in one. */
const KEY_ORDER: readonly string[] = [
  'id',
  'name',
  'provider',
  ...CATALOG_FACT_FIELDS.filter((field) => field !== 'name'),
  'source',
  'asOf',
  'uncertain',
  'note',
];

/** Drops absent fields and puts the rest in the file's order. */
const without = <T extends object>(value: T): T => {
  const rank = (key: string) => (KEY_ORDER.includes(key) ? KEY_ORDER.indexOf(key) : KEY_ORDER.length);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => rank(a) - rank(b)),
  ) as T;
};

/**
 * Turns what the APIs say about one region into override entries: lifecycle, dates,
 * profiles and prices from the APIs; limits, sampling rules and notes (which no API
 * publishes) from the built-in entry, or Bedrock's general limits, marked uncertain, for a
 * model the built-in catalog does not know.
 */
export function buildCatalogUpdate(
  sources: CatalogSources,
  builtIn: readonly CatalogModel[],
  asOf: string,
): CatalogUpdate {
  const prices = readPriceList(sources.products);
  const builtById = new Map(builtIn.map((m) => [m.id, m]));
  const source = `catalog:update ${sources.region}: Bedrock ListFoundationModels, ListInferenceProfiles; Price List GetProducts (AmazonBedrock, AmazonBedrockFoundationModels)`;
  const entries: CatalogEntry[] = [];
  const changed: CatalogUpdate['changed'][number][] = [];
  const added: CatalogEntry[] = [];
  const skipped: CatalogUpdate['skipped'][number][] = [];
  const listedIds = new Set<string>();

  for (const summary of sources.foundationModels) {
    const modelId = summary.modelId ?? '';
    listedIds.add(modelId);
    if (!isVisionModel(summary)) continue;
    const provider = PROVIDERS[(summary.providerName ?? '').toLowerCase()];
    if (provider === undefined) continue;
    const built = builtById.get(modelId);
    const name = summary.modelName ?? modelId;
    const priced = prices.byName.get(modelNameKey(name)) ?? (built && prices.byName.get(modelNameKey(built.name)));
    const regional = priced?.regional ?? {};
    const lifecycle = lifecycleOf(summary, built);
    if (lifecycle === undefined) {
      skipped.push({ modelId, reason: 'LEGACY without an end-of-life date' });
      continue;
    }
    const input = regional.inputUsdPerMillion ?? built?.inputUsdPerMillion;
    const output = regional.outputUsdPerMillion ?? built?.outputUsdPerMillion;
    if (input === undefined || output === undefined) {
      skipped.push({ modelId, reason: `no on-demand price in the ${sources.region} Price List` });
      continue;
    }
    const confirmed = new Set<string>(['lifecycle', 'legacyDate', 'endOfLifeDate', 'inferenceProfiles']);
    for (const field of Object.keys(regional)) confirmed.add(field);
    const guessed = built === undefined ? Object.keys(NEW_MODEL_DEFAULTS) : [];
    const uncertain = [...new Set([...(built?.uncertain ?? []), ...guessed])].filter((f) => !confirmed.has(f));
    const entry: CatalogEntry = without({
      ...(built ?? { ...NEW_MODEL_DEFAULTS, anthropicMessagesBody: provider === 'Anthropic', serviceTiers: [] }),
      id: modelId,
      name: built?.name ?? name,
      provider,
      inputUsdPerMillion: input,
      outputUsdPerMillion: output,
      cacheReadUsdPerMillion: regional.cacheReadUsdPerMillion ?? built?.cacheReadUsdPerMillion,
      cacheWriteUsdPerMillion: regional.cacheWriteUsdPerMillion ?? built?.cacheWriteUsdPerMillion,
      ...lifecycle,
      // New prices apply, as far as the catalog can know, from the day an update first saw them.
      pricesEffectiveFrom: built === undefined ? asOf : built.pricesEffectiveFrom,
      inferenceProfiles: profilesOf(modelId, sources, built, priced?.global ?? {}).map(without),
      source,
      asOf,
      uncertain: uncertain.length === 0 ? undefined : uncertain,
    });
    if (built === undefined) {
      entries.push(entry);
      added.push(entry);
      continue;
    }
    const changes = FACTS.map((field) => ({ field, from: factText(built, field), to: factText(entry, field) })).filter(
      (c) => c.from !== c.to,
    );
    if (changes.length > 0) {
      const repriced = changes.some((c) => PRICE_FACTS.has(c.field));
      const updated: CatalogEntry = repriced ? { ...entry, pricesEffectiveFrom: asOf } : entry;
      entries.push(updated);
      changed.push({ entry: updated, changes });
    }
  }
  return {
    region: sources.region,
    asOf,
    entries,
    changed,
    added,
    unlisted: builtIn.filter((m) => !listedIds.has(m.id)),
    skipped,
    warnings: prices.warnings,
  };
}
