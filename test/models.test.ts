import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { fromAtto, tokenCost, toAtto } from './helpers/money.js';
import { COUNT } from './helpers/operations.js';
import { pino } from 'pino';
import { runCatalogUpdate } from '../src/catalog/runCatalogUpdate.js';
import type { AppConfig } from '../src/config.js';
import { startEmulator } from '../src/emulator/index.js';
import { startApp } from '../src/startApp.js';
import { freshDatabase, startTestApp, TEST_CREDENTIALS, testConfig, type TestApp } from './helpers/startTestApp.js';
import { gql } from './helpers/graphqlClient.js';

const MODELS = `{ models { id name provider inputUsdPerMillion outputUsdPerMillion maxOutputTokens supportsInvokeModel lifecycle endOfLifeDate } }`;
const DESCRIBE = `mutation($i: DescribeImageInput!) { describeImage(input: $i) { id modelId costUsd estimatedCostUsd usage { inputTokens outputTokens } } }`;

describe('models and cost', () => {
  let t: TestApp;
  let png: string;
  let models: any[];
  beforeAll(async () => {
    t = await startTestApp('pglite');
    png = toBase64(await solidImage(200, 150));
    models = expectData(await t.gql(MODELS)).models;
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.clearFaults();
    t.emulator.resetCalls();
  });
  const price = (id: string) => models.find((m) => m.id === id);

  it('lists every vision family with prices and lifecycle', async () => {
    expect(new Set(models.map((m) => m.provider))).toEqual(new Set(['Anthropic', 'Amazon', 'Meta', 'Mistral AI']));
    expect(price('anthropic.claude-3-sonnet-20240229-v1:0')).toMatchObject({
      inputUsdPerMillion: '3',
      outputUsdPerMillion: '15',
      supportsInvokeModel: true,
      lifecycle: 'END_OF_LIFE',
    });
    expect(price('amazon.nova-lite-v1:0')).toMatchObject({
      inputUsdPerMillion: '0.06',
      outputUsdPerMillion: '0.24',
      supportsInvokeModel: false,
    });
    for (const id of [
      'amazon.nova-pro-v1:0',
      'amazon.nova-premier-v1:0',
      'meta.llama3-2-11b-instruct-v1:0',
      'meta.llama3-2-90b-instruct-v1:0',
      'mistral.pixtral-large-2502-v1:0',
      'anthropic.claude-haiku-4-5-20251001-v1:0',
    ]) {
      expect(price(id), id).toBeDefined();
    }
  });

  it.each([
    ['amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
    ['meta.llama3-2-11b-instruct-v1:0', 'meta.llama3-2-11b-instruct-v1:0'],
    ['mistral.pixtral-large-2502-v1:0', 'mistral.pixtral-large-2502-v1:0'],
    ['us.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
  ])('describes through Converse with %s at the catalog price of %s', async (modelId, base) => {
    const d = expectData(await t.gql(DESCRIBE, { i: { image: { base64: png }, modelId } })).describeImage;
    expect(t.emulator.calls[0]!.operation).toBe('Converse');
    const { inputUsdPerMillion, outputUsdPerMillion } = price(base);
    const expected =
      tokenCost(d.usage.inputTokens, inputUsdPerMillion) + tokenCost(d.usage.outputTokens, outputUsdPerMillion);
    expect(d.costUsd).toBe(fromAtto(expected));
    expect(toAtto(d.estimatedCostUsd)).toBeGreaterThanOrEqual(toAtto(d.costUsd));
  });

  it('stores costs whose sum equals the sum of usage × price across mixed models', async () => {
    const ids = [
      'amazon.nova-lite-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
      'amazon.nova-pro-v1:0',
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
    ];
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date().toISOString();
    let expected = 0n;
    for (let i = 0; i < 12; i++) {
      const modelId = ids[i % ids.length]!;
      const image = toBase64(await solidImage(40 + i * 37, 30 + i * 11));
      const prompt = `Question ${i}: ${'why '.repeat(i)}`;
      const d = expectData(await t.gql(DESCRIBE, { i: { image: { base64: image }, modelId, prompt } })).describeImage;
      const p = price(modelId);
      expected +=
        tokenCost(d.usage.inputTokens, p.inputUsdPerMillion) + tokenCost(d.usage.outputTokens, p.outputUsdPerMillion);
    }
    const summary = `query($f: HistoryFilter) { usageSummary(filter: $f, groupBy: []) { requests costUsd } }`;
    const [total] = expectData(await t.gql(summary, { f: { createdAfter: since } })).usageSummary;
    expect(total).toEqual({ requests: 12, costUsd: fromAtto(expected) });
  });

  it('refuses INVOKE_MODEL for a model that does not take the Anthropic body, before any call', async () => {
    const before = expectData(await t.gql(COUNT)).history.totalCount;
    expectErrorCode(
      await t.gql(DESCRIBE, { i: { image: { base64: png }, modelId: 'amazon.nova-lite-v1:0', api: 'INVOKE_MODEL' } }),
      'BAD_USER_INPUT',
      'API_UNSUPPORTED_FOR_MODEL',
    );
    expectErrorCode(
      await t.gql(DESCRIBE, { i: { image: { base64: png }, stopSequences: ['a', 'b', 'c', 'd', 'e'] } }),
      'BAD_USER_INPUT',
      'STOP_SEQUENCES_INVALID',
    );
    expectErrorCode(
      await t.gql(DESCRIBE, {
        i: { image: { base64: png }, modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0', maxTokens: 64_001 },
      }),
      'BAD_USER_INPUT',
      'MAX_TOKENS_INVALID',
    );
    expect(t.emulator.calls).toHaveLength(0);
    expect(expectData(await t.gql(COUNT)).history.totalCount).toBe(before);
  });

  it('refuses sampling parameters the model does not take, before any call and without a row', async () => {
    const before = expectData(await t.gql(COUNT)).history.totalCount;
    for (const [modelId, api, sampling] of [
      ['us.anthropic.claude-sonnet-4-6', 'CONVERSE', { temperature: 0.5, topP: 0.9 }],
      ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'INVOKE_MODEL', { temperature: 0.5, topP: 0.9 }],
      ['us.anthropic.claude-opus-4-7', 'INVOKE_MODEL', { temperature: 0.2 }],
      ['anthropic.claude-opus-4-7', 'CONVERSE', { topP: 0.5 }],
    ] as const) {
      const res = await t.gql(DESCRIBE, { i: { image: { base64: png }, modelId, api, ...sampling } });
      expectErrorCode(res, 'BAD_USER_INPUT', 'PARAMETER_UNSUPPORTED');
      expect(res.errors![0]!.message, modelId).toContain(modelId);
    }
    expect(t.emulator.calls).toHaveLength(0);
    expect(expectData(await t.gql(COUNT)).history.totalCount).toBe(before);
    // One of the two is what the model takes, and goes through.
    expectData(
      await t.gql(DESCRIBE, {
        i: { image: { base64: png }, modelId: 'us.anthropic.claude-sonnet-4-6', temperature: 0.5 },
      }),
    );
    expect((t.emulator.calls[0]!.body as any).inferenceConfig).toEqual({ maxTokens: 1000, temperature: 0.5 });
  });

  it('sends the seed’s Anthropic body to every current Claude model and each of its profiles, at that profile’s price', async () => {
    const catalog = expectData(
      await t.gql(
        `{ models { id provider lifecycle supportsInvokeModel inferenceProfiles { prefix inputUsdPerMillion outputUsdPerMillion } } }`,
      ),
    ).models as any[];
    const claude = catalog.filter((m) => m.provider === 'Anthropic' && m.lifecycle !== 'END_OF_LIFE');
    expect(claude.length).toBeGreaterThanOrEqual(9);
    let calls = 0;
    for (const m of claude) {
      expect(m.supportsInvokeModel, m.id).toBe(true);
      const base = price(m.id);
      const targets = [
        { modelId: m.id, prices: base },
        ...m.inferenceProfiles.map((p: any) => ({ modelId: `${p.prefix}.${m.id}`, prices: p })),
      ];
      for (const { modelId, prices } of targets) {
        t.emulator.resetCalls();
        const d = expectData(
          await t.gql(DESCRIBE, { i: { image: { base64: png }, modelId, api: 'INVOKE_MODEL', maxTokens: 400 } }),
        ).describeImage;
        const call = t.emulator.calls[0]!;
        expect(call.operation, modelId).toBe('InvokeModel');
        expect(call.modelId).toBe(modelId);
        expect(call.body).toEqual({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 400,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
                { type: 'text', text: 'What is in this image?' },
              ],
            },
          ],
        });
        expect(d.costUsd, modelId).toBe(
          fromAtto(
            tokenCost(d.usage.inputTokens, prices.inputUsdPerMillion) +
              tokenCost(d.usage.outputTokens, prices.outputUsdPerMillion),
          ),
        );
        calls++;
      }
    }
    expect(calls).toBeGreaterThan(claude.length);
  });

  it('lists each model’s profiles, sampling rule, successor and the source its facts were checked against', async () => {
    const query = `{ models { id lifecycle legacyDate endOfLifeDate successor sampling source asOf uncertain
      inferenceProfiles { prefix inputUsdPerMillion outputUsdPerMillion cacheReadUsdPerMillion cacheWriteUsdPerMillion } } }`;
    const listed = expectData(await t.gql(query)).models as any[];
    const byId = (id: string) => listed.find((m) => m.id === id);
    expect(byId('anthropic.claude-3-sonnet-20240229-v1:0')).toMatchObject({
      lifecycle: 'END_OF_LIFE',
      successor: 'anthropic.claude-sonnet-4-6',
      sampling: 'ANY',
      uncertain: ['endOfLifeDate'],
    });
    expect(byId('anthropic.claude-sonnet-4-6').inferenceProfiles).toContainEqual({
      prefix: 'global',
      inputUsdPerMillion: '3',
      outputUsdPerMillion: '15',
      cacheReadUsdPerMillion: '0.3',
      cacheWriteUsdPerMillion: '3.75',
    });
    expect(byId('anthropic.claude-opus-4-1-20250805-v1:0')).toMatchObject({
      lifecycle: 'LEGACY',
      legacyDate: '2026-07-08',
      endOfLifeDate: '2027-01-08',
      sampling: 'ONE_OF',
    });
    expect(byId('anthropic.claude-opus-4-7').sampling).toBe('NONE');
    for (const m of listed) {
      expect(m.source, m.id).toMatch(/^https:\/\//);
      expect(m.asOf, m.id).toBe('2026-11-28');
    }
  });

  it('passes stop sequences to Bedrock', async () => {
    expectData(await t.gql(DESCRIBE, { i: { image: { base64: png }, stopSequences: ['\n\nHuman:'] } }));
    expect((t.emulator.calls[0]!.body as any).inferenceConfig.stopSequences).toEqual(['\n\nHuman:']);
  });
});

describe('model lifecycle and catalog override', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bvg-catalog-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a retired model before any call when MODEL_LIFECYCLE=enforce, naming current models', async () => {
    const t = await startTestApp('pglite', { bedrock: { modelLifecycle: 'enforce' } });
    try {
      const png = toBase64(await solidImage(8, 8));
      const res = await t.gql(DESCRIBE, { i: { image: { base64: png } } });
      expectErrorCode(res, 'UPSTREAM_MODEL_UNAVAILABLE');
      expect(res.errors![0]!.message).toContain('anthropic.claude-3-sonnet-20240229-v1:0');
      expect(res.errors![0]!.message).toContain('amazon.nova-pro-v1:0');
      expect(t.emulator.calls).toHaveLength(0);
      expect(expectData(await t.gql(COUNT)).history.totalCount).toBe(0);
    } finally {
      await t.stop();
    }
  });

  /** The app on a fresh in-memory database and its own emulator, with its log lines kept. */
  async function startLoggedApp(bedrock: Partial<AppConfig['bedrock']> = {}) {
    const logged: { level: number; msg: string; defaultModelId?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const emulator = await startEmulator({ port: 0 });
    const database = await freshDatabase('pglite');
    const app = await startApp(testConfig(database.config, emulator.url, bedrock), {
      logger,
      credentials: TEST_CREDENTIALS,
    });
    const url = `http://127.0.0.1:${app.address.port}/graphql`;
    return {
      logged,
      emulator,
      gql: (query: string, variables?: Record<string, unknown>) => gql<any>(url, query, variables),
      async stop() {
        await app.stop();
        await emulator.close();
        await database.cleanup();
      },
    };
  }

  it('logs at start-up that the default model reached its end of life, naming its successor, and still serves it', async () => {
    const t = await startLoggedApp();
    try {
      const warning = t.logged.find((l) => l.defaultModelId === 'anthropic.claude-3-sonnet-20240229-v1:0');
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toBe(
        'DEFAULT_MODEL_ID anthropic.claude-3-sonnet-20240229-v1:0 (Claude 3 Sonnet) reached its end of life on Bedrock on 2025-07-21: requests without a modelId will fail there. Its successor is Claude Sonnet 4.6 (anthropic.claude-sonnet-4-6); set DEFAULT_MODEL_ID to it or to an inference profile of it.',
      );
      // The seed's request still works on the emulator, as in `npm run dev` (MODEL_LIFECYCLE=off).
      const png = toBase64(await solidImage(8, 8));
      const d = expectData(await t.gql(DESCRIBE, { i: { image: { base64: png }, api: 'INVOKE_MODEL' } })).describeImage;
      expect(d.modelId).toBe('anthropic.claude-3-sonnet-20240229-v1:0');
      expect(t.emulator.calls[0]!.operation).toBe('InvokeModel');
    } finally {
      await t.stop();
    }
  });

  it('serves the override file catalog:update writes, pricing a new model from the Price List', async () => {
    const file = join(dir, 'updated.json');
    const control = await startEmulator({ port: 0 });
    try {
      await runCatalogUpdate({
        region: 'us-east-1',
        bedrockEndpoint: control.url,
        pricingEndpoint: control.url,
        credentials: TEST_CREDENTIALS,
        outPath: file,
      });
    } finally {
      await control.close();
    }
    const t = await startLoggedApp({ modelCatalogFile: file, defaultModelId: 'global.anthropic.claude-sonnet-4-6' });
    try {
      // A current default model is not worth a warning.
      expect(t.logged.filter((l) => l.defaultModelId !== undefined)).toEqual([]);
      const png = toBase64(await solidImage(30, 30));
      const d = expectData(
        await t.gql(DESCRIBE, { i: { image: { base64: png }, modelId: 'us.amazon.nova-2-pro-v1:0' } }),
      ).describeImage;
      expect(d.costUsd).toBe(fromAtto(tokenCost(d.usage.inputTokens, '1.375') + tokenCost(d.usage.outputTokens, '11')));
      const global = expectData(await t.gql(DESCRIBE, { i: { image: { base64: png } } })).describeImage;
      expect(global.modelId).toBe('global.anthropic.claude-sonnet-4-6');
      expect(global.costUsd).toBe(
        fromAtto(tokenCost(global.usage.inputTokens, '3') + tokenCost(global.usage.outputTokens, '15')),
      );
    } finally {
      await t.stop();
    }
  });

  it('prices with MODEL_CATALOG_FILE entries: replaced prices and new models', async () => {
    const file = join(dir, 'catalog.json');
    const base = {
      provider: 'Amazon',
      maxOutputTokens: 5000,
      maxImages: 20,
      maxImageBytes: 3932160,
      maxImageSide: 8000,
      anthropicMessagesBody: false,
      maxStopSequences: 4,
      temperatureMax: 1,
      lifecycle: 'ACTIVE',
    };
    writeFileSync(
      file,
      JSON.stringify({
        models: [
          {
            ...base,
            id: 'amazon.nova-lite-v1:0',
            name: 'Nova Lite (negotiated)',
            inputUsdPerMillion: '0.05',
            outputUsdPerMillion: '0.2',
          },
          {
            ...base,
            id: 'example.private-vision-v1:0',
            name: 'Private',
            inputUsdPerMillion: '1',
            outputUsdPerMillion: '2',
          },
        ],
      }),
    );
    const t = await startTestApp('pglite', { bedrock: { modelCatalogFile: file } });
    try {
      const models = expectData(await t.gql(MODELS)).models;
      expect(models.find((m: any) => m.id === 'amazon.nova-lite-v1:0').inputUsdPerMillion).toBe('0.05');
      const png = toBase64(await solidImage(30, 30));
      for (const [modelId, inPrice, outPrice] of [
        ['amazon.nova-lite-v1:0', '0.05', '0.2'],
        ['example.private-vision-v1:0', '1', '2'],
      ] as const) {
        const d = expectData(await t.gql(DESCRIBE, { i: { image: { base64: png }, modelId } })).describeImage;
        expect(d.costUsd).toBe(
          fromAtto(tokenCost(d.usage.inputTokens, inPrice) + tokenCost(d.usage.outputTokens, outPrice)),
        );
      }
    } finally {
      await t.stop();
    }
  });
});
