import {
  BedrockClient,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock';
import { GetProductsCommand, InvalidNextTokenException, PricingClient } from '@aws-sdk/client-pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('Emulator: Bedrock control plane and Price List through the real SDK clients', () => {
  let emulator: Emulator;
  let bedrock: BedrockClient;
  let pricing: PricingClient;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    bedrock = new BedrockClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
    pricing = new PricingClient({ endpoint: emulator.url, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    bedrock?.destroy();
    pricing?.destroy();
    await emulator?.close();
  });

  it('lists foundation models with their lifecycle dates as Dates, filtered like Bedrock filters them', async () => {
    const all = await bedrock.send(new ListFoundationModelsCommand({}));
    const opus41 = all.modelSummaries!.find((m) => m.modelId === 'anthropic.claude-opus-4-1-20250805-v1:0')!;
    expect(opus41.modelLifecycle).toEqual({
      status: 'LEGACY',
      startOfLifeTime: new Date('2025-08-05T00:00:00Z'),
      legacyTime: new Date('2026-07-08T00:00:00Z'),
      endOfLifeTime: new Date('2027-01-08T00:00:00Z'),
    });
    const anthropic = await bedrock.send(new ListFoundationModelsCommand({ byProvider: 'anthropic' }));
    expect(anthropic.modelSummaries!.every((m) => m.providerName === 'Anthropic')).toBe(true);
    const text = await bedrock.send(new ListFoundationModelsCommand({ byOutputModality: 'TEXT' }));
    expect(text.modelSummaries!.map((m) => m.modelId)).not.toContain('amazon.titan-embed-text-v2:0');
    await expect(
      bedrock.send(new ListFoundationModelsCommand({ byOutputModality: 'SOUND' as 'TEXT' })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('pages inference profiles and filters them by type', async () => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await bedrock.send(
        new ListInferenceProfilesCommand({ typeEquals: 'SYSTEM_DEFINED', maxResults: 7, nextToken }),
      );
      ids.push(...page.inferenceProfileSummaries!.map((p) => p.inferenceProfileId!));
      expect(page.inferenceProfileSummaries!.every((p) => p.type === 'SYSTEM_DEFINED')).toBe(true);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken !== undefined);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['us.anthropic.claude-sonnet-4-6', 'global.anthropic.claude-sonnet-4-6']),
    );
    const application = await bedrock.send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' }));
    expect(application.inferenceProfileSummaries!.map((p) => p.inferenceProfileId)).toEqual(['a1b2c3d4e5f6']);
    expect(application.inferenceProfileSummaries![0]!.createdAt).toEqual(new Date('2026-10-01T12:00:00Z'));
  });

  it('answers GetProducts with price documents as JSON strings, filtered and paged', async () => {
    const filters = [
      { Type: 'TERM_MATCH' as const, Field: 'regionCode', Value: 'us-east-1' },
      { Type: 'TERM_MATCH' as const, Field: 'model', Value: 'nova lite' },
    ];
    const first = await pricing.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonBedrock',
        Filters: filters,
        MaxResults: 2,
        FormatVersion: 'aws_v1',
      }),
    );
    expect(first.FormatVersion).toBe('aws_v1');
    expect(first.PriceList).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const rest = await pricing.send(
      new GetProductsCommand({ ServiceCode: 'AmazonBedrock', Filters: filters, NextToken: first.NextToken }),
    );
    const products = [...first.PriceList!, ...rest.PriceList!].map((p) => JSON.parse(String(p)));
    expect(products.every((p) => p.product.attributes.model === 'Nova Lite')).toBe(true);
    const input = products.find(
      (p) =>
        p.product.attributes.inferenceType === 'Input tokens' && p.product.attributes.feature === 'On-demand Inference',
    );
    const [term] = Object.values(input.terms.OnDemand) as any[];
    expect(Object.values(term.priceDimensions)).toEqual([
      expect.objectContaining({ unit: '1K tokens', pricePerUnit: { USD: '0.0000600000' } }),
    ]);
    await expect(
      pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonBedrock', NextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(InvalidNextTokenException);
  });

  it('answers a plain HTTP/1.1 GET (curl, fetch) as it answers the SDK', async () => {
    const res = await fetch(`${emulator.url}/foundation-models?byProvider=Meta`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).modelSummaries.map((m: any) => m.modelId)).toEqual([
      'meta.llama4-maverick-17b-instruct-v1:0',
      'meta.llama4-scout-17b-instruct-v1:0',
    ]);
  });
});
