import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_CATALOG,
  baseModelId,
  currentSuccessor,
  endOfLifeDefaultModelNotice,
  inferenceProfilePrefix,
  isEndOfLife,
  loadModelCatalog,
  modelUnavailableMessage,
  unsupportedSamplingMessage,
  type CatalogModel,
} from '../../src/bedrock/index.js';
import builtInData from '../../src/bedrock/models.json' with { type: 'json' };
import { parseCatalogFile } from '../../src/bedrock/parseCatalogFile.js';

const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes an override file (an object is written as JSON, a string as is) and returns its path. */
function overrideFile(content: unknown): string {
  const path = join(dir, `override-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const model = (id: string): CatalogModel => {
  const found = DEFAULT_MODEL_CATALOG.find(id);
  if (found === undefined) throw new Error(`${id} is not in the catalog`);
  return found;
};

/** A complete, valid entry for an override file. */
const privateModel = {
  id: 'amazon.nova-2-pro-v1:0',
  name: 'Amazon Nova 2 Pro',
  provider: 'Amazon',
  inputUsdPerMillion: '0.3',
  outputUsdPerMillion: '2.5',
  maxOutputTokens: 10000,
  maxImages: 20,
  maxImageBytes: 3932160,
  maxImageSide: 8000,
  anthropicMessagesBody: false,
  maxStopSequences: 4,
  temperatureMax: 1,
  lifecycle: 'ACTIVE',
};

describe('Model catalog: built-in data', () => {
  it('lists every family the product supports, with the vision models Bedrock serves today', () => {
    const ids = DEFAULT_MODEL_CATALOG.models.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'anthropic.claude-3-haiku-20240307-v1:0',
        'anthropic.claude-3-sonnet-20240229-v1:0',
        'anthropic.claude-3-opus-20240229-v1:0',
        'anthropic.claude-3-5-sonnet-20240620-v1:0',
        'anthropic.claude-3-5-sonnet-20241022-v2:0',
        'anthropic.claude-3-7-sonnet-20250219-v1:0',
        'anthropic.claude-sonnet-4-20250514-v1:0',
        'anthropic.claude-sonnet-4-5-20250929-v1:0',
        'anthropic.claude-haiku-4-5-20251001-v1:0',
        'anthropic.claude-opus-4-20250514-v1:0',
        'anthropic.claude-opus-4-1-20250805-v1:0',
        'anthropic.claude-opus-4-5-20251101-v1:0',
        'anthropic.claude-opus-4-6-v1',
        'anthropic.claude-sonnet-4-6',
        'anthropic.claude-opus-4-7',
        'anthropic.claude-opus-4-8',
        'anthropic.claude-sonnet-5',
        'amazon.nova-lite-v1:0',
        'amazon.nova-pro-v1:0',
        'amazon.nova-2-lite-v1:0',
        'amazon.nova-premier-v1:0',
        'meta.llama3-2-11b-instruct-v1:0',
        'meta.llama3-2-90b-instruct-v1:0',
        'meta.llama4-maverick-17b-instruct-v1:0',
        'meta.llama4-scout-17b-instruct-v1:0',
        'mistral.pixtral-large-2502-v1:0',
      ]),
    );
    expect(new Set(DEFAULT_MODEL_CATALOG.models.map((m) => m.provider))).toEqual(
      new Set(['Anthropic', 'Amazon', 'Meta', 'Mistral AI']),
    );
    const current = DEFAULT_MODEL_CATALOG.current().map((m) => m.id);
    for (const id of [
      'anthropic.claude-sonnet-4-6',
      'anthropic.claude-opus-4-5-20251101-v1:0',
      'anthropic.claude-opus-4-6-v1',
      'anthropic.claude-opus-4-7',
      'amazon.nova-2-lite-v1:0',
      'meta.llama4-maverick-17b-instruct-v1:0',
    ]) {
      expect(current, id).toContain(id);
    }
  });

  it('gives every entry a source and the date it was checked', () => {
    for (const m of DEFAULT_MODEL_CATALOG.models) {
      expect(m.source, m.id).toMatch(/^https:\/\/\S+$/);
      expect(m.asOf, m.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('refuses built-in data without a source or an asOf date', () => {
    const [first, ...rest] = (builtInData as { models: Record<string, unknown>[] }).models;
    const unsourced = Object.fromEntries(Object.entries(first!).filter(([key]) => key !== 'source'));
    expect(() =>
      parseCatalogFile({ models: [unsourced, ...rest] }, 'models.json', { requireProvenance: true }),
    ).toThrow(/models\[0\] \(anthropic\.claude-3-haiku-20240307-v1:0\) needs a source and an asOf date/);
    // An operator's override file may leave them out.
    expect(parseCatalogFile({ models: [unsourced] }, 'override.json')).toHaveLength(1);
  });

  it('prices each model in-region as Bedrock publishes it (USD per million tokens, as decimal strings)', () => {
    const prices = Object.fromEntries(
      DEFAULT_MODEL_CATALOG.models.map((m) => [m.id, [m.inputUsdPerMillion, m.outputUsdPerMillion]]),
    );
    expect(prices).toEqual({
      'anthropic.claude-3-haiku-20240307-v1:0': ['0.25', '1.25'],
      'anthropic.claude-3-sonnet-20240229-v1:0': ['3', '15'],
      'anthropic.claude-3-opus-20240229-v1:0': ['15', '75'],
      'anthropic.claude-3-5-sonnet-20240620-v1:0': ['3', '15'],
      'anthropic.claude-3-5-sonnet-20241022-v2:0': ['3', '15'],
      'anthropic.claude-3-7-sonnet-20250219-v1:0': ['3', '15'],
      'anthropic.claude-sonnet-4-20250514-v1:0': ['3', '15'],
      'anthropic.claude-opus-4-20250514-v1:0': ['15', '75'],
      'anthropic.claude-opus-4-1-20250805-v1:0': ['15', '75'],
      // From Claude 4.5 on, in-region and geographic profiles cost 10 % more than global.
      'anthropic.claude-sonnet-4-5-20250929-v1:0': ['3.3', '16.5'],
      'anthropic.claude-haiku-4-5-20251001-v1:0': ['1.1', '5.5'],
      'anthropic.claude-opus-4-5-20251101-v1:0': ['5.5', '27.5'],
      'anthropic.claude-opus-4-6-v1': ['5.5', '27.5'],
      'anthropic.claude-sonnet-4-6': ['3.3', '16.5'],
      'anthropic.claude-opus-4-7': ['5.5', '27.5'],
      'anthropic.claude-opus-4-8': ['5.5', '27.5'],
      'anthropic.claude-sonnet-5': ['3.3', '16.5'],
      'amazon.nova-lite-v1:0': ['0.06', '0.24'],
      'amazon.nova-pro-v1:0': ['0.8', '3.2'],
      'amazon.nova-2-lite-v1:0': ['0.33', '2.75'],
      'amazon.nova-premier-v1:0': ['2.5', '12.5'],
      'meta.llama3-2-11b-instruct-v1:0': ['0.16', '0.16'],
      'meta.llama3-2-90b-instruct-v1:0': ['0.72', '0.72'],
      'meta.llama4-maverick-17b-instruct-v1:0': ['0.24', '0.97'],
      'meta.llama4-scout-17b-instruct-v1:0': ['0.17', '0.66'],
      'mistral.pixtral-large-2502-v1:0': ['2', '6'],
    });
  });

  it('prices the global profile of Claude 4.5 and later 10 % below in-region and geographic profiles', () => {
    const claude45On = DEFAULT_MODEL_CATALOG.models.filter(
      (m) =>
        m.provider === 'Anthropic' && m.inferenceProfiles.some((p) => p.prefix === 'global') && m.sampling !== 'ANY',
    );
    expect(claude45On.length).toBeGreaterThanOrEqual(8);
    for (const m of claude45On) {
      const global = m.inferenceProfiles.find((p) => p.prefix === 'global')!;
      for (const field of ['inputUsdPerMillion', 'outputUsdPerMillion', 'cacheReadUsdPerMillion'] as const) {
        expect(Number(m[field]), `${m.id} ${field}`).toBeCloseTo(Number(global[field]) * 1.1, 10);
      }
      for (const geo of m.inferenceProfiles.filter((p) => p.prefix !== 'global')) {
        expect(geo.inputUsdPerMillion, `${m.id} ${geo.prefix}`).toBe(m.inputUsdPerMillion);
      }
    }
    expect(DEFAULT_MODEL_CATALOG.find('global.anthropic.claude-sonnet-4-6')).toMatchObject({
      id: 'anthropic.claude-sonnet-4-6',
      inputUsdPerMillion: '3',
      outputUsdPerMillion: '15',
      cacheReadUsdPerMillion: '0.3',
      cacheWriteUsdPerMillion: '3.75',
    });
    expect(DEFAULT_MODEL_CATALOG.find('eu.anthropic.claude-sonnet-4-6')?.inputUsdPerMillion).toBe('3.3');
    expect(
      DEFAULT_MODEL_CATALOG.find(
        'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0',
      )?.outputUsdPerMillion,
    ).toBe('5');
    // Models before 4.5 cost the same through every profile.
    expect(DEFAULT_MODEL_CATALOG.find('us.anthropic.claude-opus-4-1-20250805-v1:0')?.inputUsdPerMillion).toBe('15');
  });

  it('prices Anthropic cache reads at 0.1× and writes at 1.25× input where Bedrock caches', () => {
    for (const m of DEFAULT_MODEL_CATALOG.models.filter((m) => m.provider === 'Anthropic')) {
      if (m.cacheReadUsdPerMillion === undefined) continue;
      expect(Number(m.cacheReadUsdPerMillion), m.id).toBeCloseTo(Number(m.inputUsdPerMillion) * 0.1, 10);
      expect(Number(m.cacheWriteUsdPerMillion), m.id).toBeCloseTo(Number(m.inputUsdPerMillion) * 1.25, 10);
    }
    expect(model('anthropic.claude-sonnet-4-5-20250929-v1:0').cacheReadUsdPerMillion).toBe('0.33');
    expect(DEFAULT_MODEL_CATALOG.find('global.anthropic.claude-sonnet-4-5-20250929-v1:0')?.cacheReadUsdPerMillion).toBe(
      '0.3',
    );
    expect(model('anthropic.claude-3-sonnet-20240229-v1:0').cacheReadUsdPerMillion).toBeUndefined();
  });

  it('records which sampling parameters each model takes', () => {
    const sampling = (id: string) => model(id).sampling;
    expect(sampling('anthropic.claude-3-sonnet-20240229-v1:0')).toBe('ANY');
    expect(sampling('amazon.nova-pro-v1:0')).toBe('ANY');
    for (const id of [
      'anthropic.claude-opus-4-1-20250805-v1:0',
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic.claude-haiku-4-5-20251001-v1:0',
      'anthropic.claude-sonnet-4-6',
    ]) {
      expect(sampling(id), id).toBe('ONE_OF');
    }
    expect(sampling('anthropic.claude-opus-4-7')).toBe('NONE');
  });

  it('keeps only Anthropic models on the seed’s InvokeModel body, with 4 stop sequences at most', () => {
    for (const m of DEFAULT_MODEL_CATALOG.models) {
      expect(m.anthropicMessagesBody, m.id).toBe(m.provider === 'Anthropic');
      if (m.provider === 'Anthropic') expect(m.maxStopSequences, m.id).toBe(4);
      expect(m.maxImageBytes, m.id).toBe(3.75 * 1024 * 1024);
      expect(m.maxImageSide, m.id).toBe(8000);
    }
    expect(model('meta.llama3-2-11b-instruct-v1:0').maxImages).toBe(1);
  });

  it('records that Bedrock retired Claude 3 Sonnet, the default model, on 2025-07-21', () => {
    const sonnet3 = model('anthropic.claude-3-sonnet-20240229-v1:0');
    expect(sonnet3).toMatchObject({ lifecycle: 'END_OF_LIFE', endOfLifeDate: '2025-07-21' });
    expect(isEndOfLife(sonnet3)).toBe(true);
    expect(DEFAULT_MODEL_CATALOG.current()).not.toContain(sonnet3);
  });

  it.each([
    ['anthropic.claude-sonnet-4-20250514-v1:0', '2026-10-14'],
    ['anthropic.claude-3-haiku-20240307-v1:0', '2026-09-10'],
    ['meta.llama3-2-90b-instruct-v1:0', '2026-07-07'],
    ['amazon.nova-premier-v1:0', '2026-09-14'],
  ])('records that Bedrock retired %s on %s and names a current successor', (id, date) => {
    const retired = model(id);
    expect(retired.endOfLifeDate).toBe(date);
    expect(isEndOfLife(retired, new Date('2026-11-28T00:00:00Z'))).toBe(true);
    expect(DEFAULT_MODEL_CATALOG.current()).not.toContain(retired);
    const successor = currentSuccessor(retired, DEFAULT_MODEL_CATALOG, new Date('2026-11-28T00:00:00Z'));
    expect(successor?.lifecycle).toBe('ACTIVE');
  });

  it('names a current successor for every retired or retiring model', () => {
    const on = new Date('2026-11-28T00:00:00Z');
    for (const m of DEFAULT_MODEL_CATALOG.models.filter((m) => m.lifecycle !== 'ACTIVE')) {
      expect(currentSuccessor(m, DEFAULT_MODEL_CATALOG, on)?.lifecycle, m.id).toBe('ACTIVE');
    }
  });

  it('words the start-up notice for a retired default model with its successor', () => {
    const notice = endOfLifeDefaultModelNotice('anthropic.claude-3-sonnet-20240229-v1:0', DEFAULT_MODEL_CATALOG);
    expect(notice).toContain('DEFAULT_MODEL_ID anthropic.claude-3-sonnet-20240229-v1:0 (Claude 3 Sonnet)');
    expect(notice).toContain('on 2025-07-21');
    expect(notice).toContain('Its successor is Claude Sonnet 4.6 (anthropic.claude-sonnet-4-6)');
    expect(endOfLifeDefaultModelNotice('us.anthropic.claude-sonnet-4-6', DEFAULT_MODEL_CATALOG)).toBeUndefined();
    expect(endOfLifeDefaultModelNotice('example.unknown-v1:0', DEFAULT_MODEL_CATALOG)).toBeUndefined();
  });

  it('follows a chain of successors past retired ones', () => {
    const sonnet37 = model('anthropic.claude-3-7-sonnet-20250219-v1:0');
    const catalog = loadModelCatalog(
      overrideFile({
        models: [
          { ...model('anthropic.claude-3-sonnet-20240229-v1:0'), successor: sonnet37.id },
          { ...sonnet37, successor: 'anthropic.claude-sonnet-4-6' },
        ],
      }),
    );
    const sonnet3 = catalog.find('anthropic.claude-3-sonnet-20240229-v1:0')!;
    expect(currentSuccessor(sonnet3, catalog)?.id).toBe('anthropic.claude-sonnet-4-6');
  });

  it('suggests only active models', () => {
    const current = DEFAULT_MODEL_CATALOG.current();
    expect(current.length).toBeGreaterThan(0);
    expect(current.every((m) => m.lifecycle === 'ACTIVE')).toBe(true);
    expect(current.map((m) => m.id)).toEqual(
      expect.arrayContaining(['anthropic.claude-sonnet-4-5-20250929-v1:0', 'amazon.nova-pro-v1:0']),
    );
  });

  it('counts a LEGACY model as retired once its end-of-life date has passed', () => {
    const legacy = { ...model('amazon.nova-pro-v1:0'), lifecycle: 'LEGACY', endOfLifeDate: '2026-03-01' } as const;
    expect(isEndOfLife(legacy, new Date('2026-02-28T23:00:00Z'))).toBe(false);
    expect(isEndOfLife(legacy, new Date('2026-03-01T00:00:00Z'))).toBe(true);
    expect(isEndOfLife(model('amazon.nova-pro-v1:0'))).toBe(false);
  });

  it('words a refusal with the retirement date and current models', () => {
    const message = modelUnavailableMessage('us.anthropic.claude-3-sonnet-20240229-v1:0', DEFAULT_MODEL_CATALOG);
    expect(message).toContain('Claude 3 Sonnet (us.anthropic.claude-3-sonnet-20240229-v1:0) reached its end of life');
    expect(message).toContain('2025-07-21');
    expect(message).toContain('Its successor is Claude Sonnet 4.6 (anthropic.claude-sonnet-4-6).');
    expect(message).toContain('Claude Sonnet 4.5 (anthropic.claude-sonnet-4-5-20250929-v1:0)');
    expect(modelUnavailableMessage('example.unknown-v1:0', DEFAULT_MODEL_CATALOG)).toMatch(
      /^Bedrock refused model example\.unknown-v1:0\. Pick a current vision model/,
    );
  });
});

describe('Model catalog: model ids, profiles and ARNs', () => {
  it.each([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['eu.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['apac.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['us-gov.anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['jp.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['au.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['ca.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-2-90b-instruct-v1:0', 'meta.llama3-2-90b-instruct-v1:0'],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.mistral.pixtral-large-2502-v1:0',
      'mistral.pixtral-large-2502-v1:0',
    ],
    [
      'arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-3-haiku-20240307-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ],
  ])('resolves %s to %s', (modelId, base) => {
    expect(baseModelId(modelId)).toBe(base);
    expect(DEFAULT_MODEL_CATALOG.find(modelId)?.id).toBe(base);
  });

  it('leaves unknown models and opaque profile ARNs unknown', () => {
    const applicationProfile = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    expect(baseModelId(applicationProfile)).toBe(applicationProfile);
    expect(DEFAULT_MODEL_CATALOG.find(applicationProfile)).toBeUndefined();
    expect(DEFAULT_MODEL_CATALOG.find('example.unknown-v1:0')).toBeUndefined();
    expect(DEFAULT_MODEL_CATALOG.find('xx.amazon.nova-pro-v1:0')).toBeUndefined();
  });
});

describe('Model catalog: override file', () => {
  it('is the built-in catalog without an override', () => {
    expect(loadModelCatalog()).toBe(DEFAULT_MODEL_CATALOG);
  });

  it('replaces an entry with the same id and adds a new one', () => {
    const sonnet45 = model('anthropic.claude-sonnet-4-5-20250929-v1:0');
    // A profile listed without prices costs what the entry costs.
    const inheriting = [{ prefix: 'us' }, { prefix: 'global', inputUsdPerMillion: '2.5' }];
    const catalog = loadModelCatalog(
      overrideFile({
        models: [
          { ...sonnet45, inputUsdPerMillion: '2.7', outputUsdPerMillion: '13.5', inferenceProfiles: inheriting },
          privateModel,
        ],
      }),
    );
    expect(catalog.find('global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toMatchObject({
      inputUsdPerMillion: '2.5',
      outputUsdPerMillion: '13.5',
    });
    expect(catalog.find('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toMatchObject({
      inputUsdPerMillion: '2.7',
      outputUsdPerMillion: '13.5',
    });
    expect(catalog.find('us.amazon.nova-2-pro-v1:0')?.name).toBe('Amazon Nova 2 Pro');
    expect(catalog.models).toHaveLength(DEFAULT_MODEL_CATALOG.models.length + 1);
    expect(catalog.current().map((m) => m.id)).toContain('amazon.nova-2-pro-v1:0');
    // The built-in catalog is untouched.
    expect(DEFAULT_MODEL_CATALOG.find('anthropic.claude-sonnet-4-5-20250929-v1:0')?.inputUsdPerMillion).toBe('3.3');
  });

  it('lets an entry for a profile id price that profile apart from its base model', () => {
    const profile = { ...model('amazon.nova-pro-v1:0'), id: 'eu.amazon.nova-pro-v1:0', inputUsdPerMillion: '1.05' };
    const catalog = loadModelCatalog(overrideFile({ models: [profile] }));
    expect(catalog.find('eu.amazon.nova-pro-v1:0')?.inputUsdPerMillion).toBe('1.05');
    expect(catalog.find('us.amazon.nova-pro-v1:0')?.inputUsdPerMillion).toBe('0.8');
  });

  it.each([
    [
      'a price written as a number',
      { models: [{ ...privateModel, inputUsdPerMillion: 0.3 }] },
      /models\[0\] \(amazon\.nova-2-pro-v1:0\)\.inputUsdPerMillion: .*decimal string/,
    ],
    ['a misspelt field', { models: [{ ...privateModel, outputUsdPerMilion: '2.5' }] }, /outputUsdPerMil/],
    ['an unknown provider', { models: [{ ...privateModel, provider: 'OpenAI' }] }, /provider/],
    ['an unknown lifecycle', { models: [{ ...privateModel, lifecycle: 'RETIRED' }] }, /lifecycle/],
    [
      'a LEGACY model without its end-of-life date',
      { models: [{ ...privateModel, lifecycle: 'LEGACY' }] },
      /endOfLifeDate: is required for a LEGACY model/,
    ],
    [
      'an impossible date',
      { models: [{ ...privateModel, lifecycle: 'END_OF_LIFE', endOfLifeDate: '2025-02-30' }] },
      /endOfLifeDate: is not a calendar date/,
    ],
    [
      'the Anthropic body on another provider',
      { models: [{ ...privateModel, anthropicMessagesBody: true }] },
      /anthropicMessagesBody/,
    ],
    ['the same id twice', { models: [privateModel, privateModel] }, /amazon\.nova-2-pro-v1:0 is listed twice/],
    [
      'an unknown profile prefix',
      { models: [{ ...privateModel, inferenceProfiles: [{ prefix: 'mars' }] }] },
      /inferenceProfiles\[0\]\.prefix/,
    ],
    [
      'a profile listed twice',
      { models: [{ ...privateModel, inferenceProfiles: [{ prefix: 'us' }, { prefix: 'us' }] }] },
      /inferenceProfiles: lists a prefix twice/,
    ],
    ['an unknown sampling rule', { models: [{ ...privateModel, sampling: 'SOME' }] }, /sampling/],
    [
      'an uncertain field that does not exist',
      { models: [{ ...privateModel, uncertain: ['colour'] }] },
      /uncertain\[0\]/,
    ],
    [
      'a successor missing from the catalog',
      { models: [{ ...privateModel, successor: 'amazon.nova-9-v1:0' }] },
      /names successor amazon\.nova-9-v1:0, which is not in the catalog/,
    ],
    ['a bare array', [privateModel], /\(top level\): must be a JSON object \{ "models"/],
    ['text that is not JSON', '{ "models": [', /is not valid JSON/],
  ])('refuses %s with an error naming the file and the problem', (_, content, problem) => {
    const path = overrideFile(content);
    expect(() => loadModelCatalog(path)).toThrow(path);
    expect(() => loadModelCatalog(path)).toThrow(problem);
  });

  it('refuses a file that does not exist', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadModelCatalog(path)).toThrow(`Model catalog ${path} cannot be read`);
  });
});

describe('Model catalog: sampling parameters', () => {
  const refusal = (id: string, sampling: { temperature?: number; topP?: number }) =>
    unsupportedSamplingMessage(model(id), `us.${id}`, sampling);

  it('lets older models take temperature and topP together', () => {
    expect(refusal('anthropic.claude-3-7-sonnet-20250219-v1:0', { temperature: 0.5, topP: 0.9 })).toBeUndefined();
  });

  it('refuses temperature with topP where the model takes one of them', () => {
    expect(refusal('anthropic.claude-sonnet-4-6', { temperature: 0.5 })).toBeUndefined();
    expect(refusal('anthropic.claude-sonnet-4-6', { topP: 0.9 })).toBeUndefined();
    expect(refusal('anthropic.claude-sonnet-4-6', { temperature: 0.5, topP: 0.9 })).toBe(
      'Claude Sonnet 4.6 (us.anthropic.claude-sonnet-4-6) takes temperature or topP, not both: leave one of them out',
    );
  });

  it('refuses either where the model takes neither', () => {
    expect(refusal('anthropic.claude-opus-4-7', {})).toBeUndefined();
    expect(refusal('anthropic.claude-opus-4-7', { topP: 1 })).toMatch(
      /takes neither temperature nor topP.*leave out topP$/,
    );
  });
});

describe('Model catalog: inference profile prefixes', () => {
  it.each([
    ['global.anthropic.claude-sonnet-4-6', 'global'],
    ['us-gov.anthropic.claude-3-haiku-20240307-v1:0', 'us-gov'],
    ['arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0', 'eu'],
    ['anthropic.claude-sonnet-4-6', undefined],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6', undefined],
  ])('reads the prefix of %s as %s', (modelId, prefix) => {
    expect(inferenceProfilePrefix(modelId)).toBe(prefix);
  });
});
