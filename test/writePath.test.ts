import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { OPEN_MODE_KEY_ID, type DescriptionRecord, type NewDescription } from '../src/store/index.js';

/** Every field of a Description, as a client that wants the whole record asks for it. */
const FULL = /* GraphQL */ `
  fragment Full on Description {
    id
    status
    modelId
    api
    prompt
    system
    maxTokens
    temperature
    topP
    stopSequences
    text
    stopReason
    usage {
      inputTokens
      outputTokens
      totalTokens
      cacheReadInputTokens
      cacheWriteInputTokens
    }
    costUsd
    estimatedCostUsd
    latencyMs
    modelLatencyMs
    bedrockRequestId
    clientRequestId
    createdAt
    completedAt
    images {
      sha256
      mediaType
      width
      height
      byteSize
      estimatedTokens
      source
      original {
        mediaType
        width
        height
        byteSize
      }
    }
    error {
      code
      message
    }
  }
`;

describe.each(DATABASES)('the write path on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers describeImage with the record exactly as description and history show it', async () => {
    const red = toBase64(await solidImage(40, 30, 'png'));
    const blue = toBase64(await solidImage(20, 50, 'jpeg'));
    const clientRequestId = `write-path-${randomUUID()}`;
    const res = await t.gql(
      `mutation($input: DescribeImageInput!) { describeImage(input: $input) { ...Full } } ${FULL}`,
      {
        input: {
          images: [{ base64: red }, { base64: blue }, { base64: red }],
          prompt: 'Compare them.',
          system: 'Be brief.',
          maxTokens: 300,
          temperature: 0.2,
          topP: 0.9,
          stopSequences: ['\n\nHuman:'],
          clientRequestId,
        },
      },
    );
    const answered = expectData(res).describeImage;
    expect(answered.status).toBe('SUCCEEDED');
    expect(answered.images).toHaveLength(3);

    const read = expectData(
      await t.gql(
        `query($id: ID!, $key: String!) {
          description(id: $id) { ...Full }
          history(filter: { clientRequestId: $key }) { edges { node { ...Full } } }
        } ${FULL}`,
        { id: answered.id, key: clientRequestId },
      ),
    );
    expect(read.description).toEqual(answered);
    expect(read.history.edges.map((e: { node: unknown }) => e.node)).toEqual([answered]);
  });

  it('returns from each repository write the record a read of the row gives', async () => {
    const { descriptions } = t.app.store;
    const image = (sha: string, position: number) => ({
      sha256: sha.repeat(64),
      mediaType: 'image/webp',
      byteSize: 100 + position,
      width: 10 + position,
      height: 20 + position,
      source: 'URL' as const,
      original: { format: 'png', width: 30, height: 40, byteSize: 5_000 },
    });
    const input = (overrides: Partial<NewDescription>): NewDescription => ({
      id: randomUUID(),
      modelId: 'us.anthropic.claude-3-haiku-20240307-v1:0',
      baseModelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      api: 'INVOKE_MODEL',
      provider: 'BEDROCK',
      prompt: 'What is it?',
      maxTokens: 12,
      stopSequences: [],
      // More decimals than the column keeps: the record must carry what the database kept.
      estimatedCostUsd: '0.0000123456789012345',
      apiKeyId: OPEN_MODE_KEY_ID,
      clientRequestId: undefined,
      requestHash: 'h'.repeat(64),
      images: [image('b', 0), image('c', 1)],
      ...overrides,
    });

    const pending = await descriptions.createPending(input({ system: 'S', temperature: 0.5, topP: 0.25 }));
    expect(await descriptions.findById(pending.id, 'ALL')).toEqual(pending);
    expect(pending.estimatedCostUsd).toBe('0.000012345679');
    const succeeded = await descriptions.succeed(pending, {
      text: 'A thing.',
      stopReason: 'end_turn',
      usage: { inputTokens: 7, outputTokens: 3, totalTokens: 12, cacheReadInputTokens: 2 },
      costUsd: '0.0000012345678901234',
      latencyMs: 42,
      modelLatencyMs: 40,
      bedrockRequestId: 'req-1',
    });
    expect(await descriptions.findById(pending.id, 'ALL')).toEqual(succeeded);
    expect(succeeded.costUsd).toBe('0.000001234568');

    const other = await descriptions.createPending(
      input({ clientRequestId: `k-${randomUUID()}`, estimatedCostUsd: null }),
    );
    const failed = await descriptions.fail(other, {
      code: 'UPSTREAM_ERROR',
      message: 'It broke.',
      partialText: 'A th',
      latencyMs: 5,
      bedrockRequestId: undefined,
    });
    expect(await descriptions.findById(other.id, 'ALL')).toEqual(failed);
  });

  it("writes the cache's copy with every setting and image of the new request, as a read of the row gives it", async () => {
    const { descriptions } = t.app.store;
    const requestHash = `cache-copy-${randomUUID()}`;
    const request = (id: string, clientRequestId: string | undefined): NewDescription => ({
      id,
      modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      baseModelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
      api: 'CONVERSE',
      provider: 'EMULATOR',
      prompt: 'Name the colours.',
      system: 'One line.',
      maxTokens: 64,
      temperature: 0.3,
      topP: 0.75,
      stopSequences: ['STOP', 'END'],
      serviceTier: 'PRIORITY',
      tags: ['project=atlas', 'team=vision'],
      estimatedCostUsd: '0.000123',
      unitPrices: {
        inputUsdPerMillion: '3.3',
        outputUsdPerMillion: '16.5',
        cacheReadUsdPerMillion: '0.33',
        cacheWriteUsdPerMillion: '4.125',
      },
      estimatedInputTokens: 321,
      imagePixels: 1_250,
      apiKeyId: OPEN_MODE_KEY_ID,
      clientRequestId,
      requestHash,
      images: [
        {
          sha256: 'd'.repeat(64),
          mediaType: 'image/png',
          byteSize: 111,
          width: 25,
          height: 30,
          source: 'BASE64',
          original: { format: 'jpeg', width: 50, height: 60, byteSize: 2_222 },
        },
        {
          sha256: 'e'.repeat(64),
          mediaType: 'image/webp',
          byteSize: 222,
          width: 25,
          height: 20,
          source: 'UPLOAD',
          original: { format: 'gif', width: 100, height: 80, byteSize: 3_333 },
        },
      ],
    });
    const source = await descriptions.createPending(request(randomUUID(), undefined));
    const answered = await descriptions.succeed(source, {
      text: 'Red and green.',
      stopReason: 'end_turn',
      usage: { inputTokens: 300, outputTokens: 4, totalTokens: 304 },
      costUsd: '0.000000123',
      latencyMs: 9,
      modelLatencyMs: 8,
      bedrockRequestId: 'req-cache-source',
    });

    const copy = await descriptions.createFromCache(request(randomUUID(), `copy-${randomUUID()}`), 60);
    expect(copy).toMatchObject({ status: 'SUCCEEDED', text: 'Red and green.', cachedFromId: answered.id });
    expect(await descriptions.findById(copy!.id, 'ALL')).toEqual(copy);
    // The copy was asked what its source was asked: each setting and image the write-ahead wrote.
    const asked = ({ id: _id, clientRequestId: _key, createdAt: _at, ...record }: DescriptionRecord) => {
      const { modelId, api, provider, prompt, system, maxTokens, temperature, topP, stopSequences } = record;
      const { serviceTier, tags, estimatedCostUsd, unitPrices, estimatedInputTokens, imagePixels } = record;
      return {
        ...{ modelId, api, provider, prompt, system, maxTokens, temperature, topP, stopSequences, serviceTier, tags },
        ...{ estimatedCostUsd, unitPrices, estimatedInputTokens, imagePixels, apiKeyId: record.apiKeyId },
        ...{ requestHash: record.requestHash, images: record.images },
      };
    };
    expect(asked(copy!)).toEqual(asked((await descriptions.findById(answered.id, 'ALL'))!));
  });

  it('writes nothing, not even the images, for a clientRequestId already taken', async () => {
    const { descriptions } = t.app.store;
    const key = `taken-${randomUUID()}`;
    const base = {
      modelId: 'm',
      baseModelId: 'm',
      api: 'CONVERSE' as const,
      provider: 'BEDROCK' as const,
      prompt: 'p',
      maxTokens: 1,
      stopSequences: [],
      estimatedCostUsd: null,
      apiKeyId: OPEN_MODE_KEY_ID,
      clientRequestId: key,
      requestHash: 'x',
    };
    const first = await descriptions.createPending({ ...base, id: randomUUID(), images: [] });
    const newImage = randomUUID().replace(/-/g, '').padEnd(64, '0');
    await expect(
      descriptions.createPending({
        ...base,
        id: randomUUID(),
        images: [
          {
            sha256: newImage,
            mediaType: 'image/png',
            byteSize: 1,
            width: 1,
            height: 1,
            source: 'BASE64',
            original: { format: 'png', width: 1, height: 1, byteSize: 1 },
          },
        ],
      }),
    ).rejects.toThrow(/is taken/);
    expect(await descriptions.findImage(newImage, 'ALL')).toBeNull();
    expect((await descriptions.findByClientRequestId(OPEN_MODE_KEY_ID, key))?.id).toBe(first.id);
  });
});
