import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CATALOG, type CatalogSources } from '../../src/bedrock/index.js';
import { buildCatalogUpdate } from '../../src/catalog/buildCatalogUpdate.js';
import { perMillion } from '../../src/catalog/decimalPrice.js';
import { formatCatalogUpdate } from '../../src/catalog/formatCatalogUpdate.js';
import { modelNameKey } from '../../src/catalog/modelNameKey.js';
import foundationModels from '../../src/emulator/controlPlane/foundationModels.json' with { type: 'json' };
import inferenceProfiles from '../../src/emulator/controlPlane/inferenceProfiles.json' with { type: 'json' };
import priceList from '../../src/emulator/controlPlane/priceList.json' with { type: 'json' };
import builtInFile from '../../src/bedrock/models.json' with { type: 'json' };

/** The emulator's fixtures as the SDK hands them over (dates as Dates), for changing one fact at a time. */
interface Sources {
  region: string;
  foundationModels: any[];
  inferenceProfiles: any[];
  products: Record<string, any[]>;
}

function fixtureSources(): Sources {
  const dates = (value: any): any =>
    Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && /Time$|At$/.test(k) ? new Date(v) : v]),
    );
  return structuredClone({
    region: 'us-east-1',
    foundationModels: foundationModels.modelSummaries.map((m) => ({ ...m, modelLifecycle: dates(m.modelLifecycle) })),
    inferenceProfiles: inferenceProfiles.inferenceProfileSummaries.map(dates),
    products: priceList,
  });
}

const build = (sources: Sources) =>
  buildCatalogUpdate(sources as unknown as CatalogSources, DEFAULT_MODEL_CATALOG.models, '2026-11-28');

const usd = (product: any) => {
  const [term] = Object.values(product.terms.OnDemand) as any[];
  return (Object.values(term.priceDimensions)[0] as any).pricePerUnit;
};

describe('catalog:update: from API answers to override entries', () => {
  it('reports a model Bedrock moved to Legacy, and a price change, field by field', () => {
    const sources = fixtureSources();
    const sonnet45 = sources.foundationModels.find((m) => m.modelId === 'anthropic.claude-sonnet-4-5-20250929-v1:0');
    sonnet45!.modelLifecycle = {
      status: 'LEGACY',
      startOfLifeTime: new Date('2025-09-29T00:00:00Z'),
      legacyTime: new Date('2026-11-01T00:00:00Z'),
      endOfLifeTime: new Date('2027-05-01T00:00:00Z'),
    };
    const globalInput = sources.products.AmazonBedrockFoundationModels!.find(
      (p) =>
        p.product.attributes.servicename === 'Claude Sonnet 4.5 (Amazon Bedrock Edition)' &&
        p.product.attributes.usagetype === 'USE1-MP:USE1_InputTokenCount_Global-Units',
    );
    usd(globalInput).USD = '2.7000000000';

    const update = build(sources);
    const change = update.changed.find((c) => c.entry.id === 'anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    expect(change.changes).toEqual([
      { field: 'lifecycle', from: 'ACTIVE', to: 'LEGACY' },
      { field: 'legacyDate', from: '(none)', to: '2026-11-01' },
      { field: 'endOfLifeDate', from: '(none)', to: '2027-05-01' },
      {
        field: 'inferenceProfiles',
        from: 'us 3.3/16.5, eu 3.3/16.5, global 3/15, jp 3.3/16.5',
        to: 'us 3.3/16.5, eu 3.3/16.5, global 2.7/15, jp 3.3/16.5',
      },
    ]);
    // The lifecycle is now confirmed by the API, so it is no longer marked uncertain; the service
    // tiers, which these answers do not list, still are.
    expect(change.entry.uncertain).toEqual(['serviceTiers']);
    // A price changed: from the day of the update, as far as the catalog knows (rows keep what they were charged).
    expect(change.entry.pricesEffectiveFrom).toBe(change.entry.asOf);
    // Limits and sampling rules, which no API publishes, stay as built in.
    expect(change.entry).toMatchObject({ maxOutputTokens: 64000, sampling: 'ONE_OF' });
    const report = formatCatalogUpdate(update, 'model-catalog.json');
    expect(report).toContain(
      [
        '~ Claude Sonnet 4.5 (anthropic.claude-sonnet-4-5-20250929-v1:0)',
        '    lifecycle: ACTIVE -> LEGACY',
        '    legacyDate: (none) -> 2026-11-01',
        '    endOfLifeDate: (none) -> 2027-05-01',
      ].join('\n'),
    );
  });

  it('writes an entry’s fields in models.json’s order, service tiers included', () => {
    const sources = fixtureSources();
    const sonnet45 = sources.foundationModels.find((m) => m.modelId === 'anthropic.claude-sonnet-4-5-20250929-v1:0');
    sonnet45!.modelLifecycle = {
      status: 'LEGACY',
      startOfLifeTime: new Date('2025-09-29T00:00:00Z'),
      legacyTime: new Date('2026-11-01T00:00:00Z'),
      endOfLifeTime: new Date('2027-05-01T00:00:00Z'),
    };
    const entry = build(sources).entries.find((e) => e.id === sonnet45!.modelId)!;
    const builtIn = (builtInFile as { models: Record<string, unknown>[] }).models.find((m) => m.id === entry.id)!;
    expect(Object.keys(entry)).toContain('serviceTiers');
    // The keys both have, in the built-in file's order, are the written entry's keys in its own order.
    const shared = Object.keys(entry).filter((key) => key in builtIn);
    expect(shared).toEqual(Object.keys(builtIn).filter((key) => shared.includes(key)));
  });

  it('flags a built-in model Bedrock no longer lists while the catalog still calls it current', () => {
    const sources = fixtureSources();
    sources.foundationModels = sources.foundationModels.filter(
      (m) => m.modelId !== 'anthropic.claude-opus-4-5-20251101-v1:0',
    );
    const update = build(sources);
    expect(formatCatalogUpdate(update, 'x.json')).toContain(
      '! Not listed in us-east-1 but not END_OF_LIFE in the built-in catalog (retired, or not offered in this region):\n    Claude Opus 4.5 (anthropic.claude-opus-4-5-20251101-v1:0) ACTIVE',
    );
    expect(update.entries.map((e) => e.id)).not.toContain('anthropic.claude-opus-4-5-20251101-v1:0');
  });

  it('never reads batch, flex or priority prices as on-demand prices', () => {
    const sources = fixtureSources();
    // Without their Standard on-demand rows, only the batch (half price), flex and priority rows are left.
    const standard = (a: Record<string, string>) =>
      (a.model === 'Nova 2.0 Lite' &&
        a.feature === 'On-demand Inference' &&
        !/global|flex|priority/.test(a.usagetype!)) ||
      (a.servicename === 'Claude Sonnet 4.6 (Amazon Bedrock Edition)' &&
        /^USE1-MP:USE1_(Input|Output)TokenCount-Units$/.test(a.usagetype!));
    for (const code of ['AmazonBedrock', 'AmazonBedrockFoundationModels']) {
      sources.products[code] = sources.products[code]!.filter((p) => !standard(p.product.attributes));
    }
    const update = build(sources);
    // Both keep their built-in prices instead of taking half or 1.75 times them.
    expect(update.changed.map((c) => c.entry.id)).toEqual([]);
  });

  it('skips a new vision model without a price, and says why', () => {
    const sources = fixtureSources();
    sources.products.AmazonBedrock = sources.products.AmazonBedrock!.filter(
      (p) => p.product.attributes.model !== 'Nova 2.0 Pro',
    );
    const update = build(sources);
    expect(update.added).toEqual([]);
    expect(update.skipped).toEqual([
      { modelId: 'amazon.nova-2-pro-v1:0', reason: 'no on-demand price in the us-east-1 Price List' },
    ]);
  });

  it('warns about two different prices for one model instead of picking one silently', () => {
    const sources = fixtureSources();
    const row = structuredClone(
      sources.products.AmazonBedrock!.find(
        (p) =>
          p.product.attributes.model === 'Nova Pro' && p.product.attributes.usagetype === 'USE1-NovaPro-input-tokens',
      ),
    );
    row.product.attributes.usagetype = 'USE1-NovaPro-input-tokens-v2';
    usd(row).USD = '0.0009000000';
    sources.products.AmazonBedrock!.push(row);
    const update = build(sources);
    expect(update.warnings).toEqual(['Nova Pro: two inputUsdPerMillion prices (0.8 and 0.9); kept 0.8']);
  });
});

describe('catalog:update: names and numbers', () => {
  it.each([
    ['0.0000600000', 1_000, '0.06'],
    ['0.0030000000', 1_000, '3'],
    ['0.001375', 1_000, '1.375'],
    ['3.3000000000', 1_000_000, '3.3'],
    ['15', 1_000_000, '15'],
    ['0', 1_000, '0'],
  ] as const)('reads %s USD per %s tokens as %s per million', (price, unit, expected) => {
    expect(perMillion(price, unit)).toBe(expected);
  });

  it.each([
    ['Nova 2 Lite', 'Nova 2.0 Lite'],
    ['Pixtral Large (25.02)', 'Pixtral Large 25.02'],
    ['Llama 4 Maverick 17B Instruct', 'Llama 4 Maverick 17B'],
    ['Claude Sonnet 4.6', 'Claude Sonnet 4.6 (Amazon Bedrock Edition)'],
  ])('matches the control plane name %s to the Price List name %s', (control, price) => {
    expect(modelNameKey(control)).toBe(modelNameKey(price));
  });

  it('keeps Claude Sonnet 4 apart from Claude Sonnet 4.5', () => {
    expect(modelNameKey('Claude Sonnet 4')).not.toBe(modelNameKey('Claude Sonnet 4.5'));
  });
});
