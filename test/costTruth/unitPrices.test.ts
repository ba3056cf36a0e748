import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CATALOG, unitPricesFor } from '../../src/bedrock/index.js';
import { parseCatalogFile } from '../../src/bedrock/parseCatalogFile.js';

const entry = (extra: Record<string, unknown>) => ({
  id: 'acme.vision-v1',
  name: 'Acme Vision',
  provider: 'Amazon',
  inputUsdPerMillion: '0.3',
  outputUsdPerMillion: '2.5',
  cacheReadUsdPerMillion: '0.075',
  maxOutputTokens: 1000,
  maxImages: 20,
  maxImageBytes: 3932160,
  maxImageSide: 8000,
  anthropicMessagesBody: false,
  maxStopSequences: 4,
  temperatureMax: 1,
  lifecycle: 'ACTIVE',
  ...extra,
});

describe('unit prices per service tier', () => {
  it('scales every price of the id called by the tier factor, exactly', () => {
    const [model] = parseCatalogFile(
      {
        models: [
          entry({
            serviceTiers: [
              { tier: 'FLEX', priceFactor: '0.5' },
              { tier: 'PRIORITY', priceFactor: '1.75' },
            ],
          }),
        ],
      },
      'test',
    );
    expect(unitPricesFor(model!, 'DEFAULT')).toEqual({
      inputUsdPerMillion: '0.3',
      outputUsdPerMillion: '2.5',
      cacheReadUsdPerMillion: '0.075',
      cacheWriteUsdPerMillion: undefined,
    });
    expect(unitPricesFor(model!, 'FLEX')).toEqual({
      inputUsdPerMillion: '0.15',
      outputUsdPerMillion: '1.25',
      cacheReadUsdPerMillion: '0.0375',
      cacheWriteUsdPerMillion: undefined,
    });
    expect(unitPricesFor(model!, 'PRIORITY')).toMatchObject({
      inputUsdPerMillion: '0.525',
      outputUsdPerMillion: '4.375',
    });
  });

  it('has no prices for a tier the entry does not list', () => {
    const sonnet3 = DEFAULT_MODEL_CATALOG.find('anthropic.claude-3-sonnet-20240229-v1:0')!;
    expect(unitPricesFor(sonnet3, 'FLEX')).toBeUndefined();
    // A profile's prices are the ones scaled: global Sonnet 4.6 at Priority.
    const global46 = DEFAULT_MODEL_CATALOG.find('global.anthropic.claude-sonnet-4-6')!;
    expect(unitPricesFor(global46, 'PRIORITY')).toMatchObject({
      inputUsdPerMillion: '5.25',
      outputUsdPerMillion: '26.25',
    });
  });

  it('refuses a catalog file that lists a tier twice, a factor that is not a decimal string, or a bad date', () => {
    const twice = [
      { tier: 'FLEX', priceFactor: '0.5' },
      { tier: 'FLEX', priceFactor: '0.4' },
    ];
    expect(() => parseCatalogFile({ models: [entry({ serviceTiers: twice })] }, 'f.json')).toThrow(
      /lists a tier twice/,
    );
    expect(() =>
      parseCatalogFile({ models: [entry({ serviceTiers: [{ tier: 'FLEX', priceFactor: 0.5 }] })] }, 'f.json'),
    ).toThrow(/serviceTiers/);
    expect(() =>
      parseCatalogFile({ models: [entry({ serviceTiers: [{ tier: 'RESERVED', priceFactor: '1' }] })] }, 'f.json'),
    ).toThrow(/serviceTiers/);
    expect(() => parseCatalogFile({ models: [entry({ pricesEffectiveFrom: '2026-02-30' })] }, 'f.json')).toThrow(
      /pricesEffectiveFrom/,
    );
  });
});
