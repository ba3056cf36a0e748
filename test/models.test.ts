import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { fromAtto, tokenCost, toAtto } from './helpers/money.js';
import { COUNT } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

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
