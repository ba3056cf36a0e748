import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { expectData, expectErrorCode } from '../helpers/graphqlClient.js';
import { photoBoardJpeg, solidImage, toBase64 } from '../helpers/images.js';
import { fromAtto, toAtto, tokenCost } from '../helpers/money.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const PREVIEW = /* GraphQL */ `
  query ($input: DescribeImageInput!) {
    previewCost(input: $input) {
      modelId
      serviceTier
      estimatedInputTokens
      megapixels
      maxOutputTokens
      images {
        width
        height
        mediaType
        estimatedTokens
        original {
          width
          height
          mediaType
        }
      }
      unitPrices {
        inputUsdPerMillion
        outputUsdPerMillion
      }
      minCostUsd
      estimatedCostUsd
      maxCostUsd
    }
  }
`;
const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      costUsd
      estimatedCostUsd
      estimatedInputTokens
      megapixels
      usage {
        inputTokens
        outputTokens
      }
      images {
        width
        height
      }
    }
  }
`;
const COUNT = /* GraphQL */ `
  {
    history {
      totalCount
    }
  }
`;

describe.each(DATABASES)('previewCost and vision analytics on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  it('previews the normalised images, the tokens and a price range without a model call or a row', async () => {
    const large = toBase64(await solidImage(3136, 2000, 'png'));
    const input = {
      images: [{ base64: large }, { base64: toBase64(photoBoardJpeg()) }],
      modelId: 'us.amazon.nova-2-lite-v1:0',
      prompt: 'Describe both images for alt text.',
      maxTokens: 300,
      serviceTier: 'FLEX',
    };
    const before = expectData(await t.gql(COUNT)).history.totalCount;
    const preview = expectData(await t.gql(PREVIEW, { input })).previewCost;
    expect(t.emulator.calls).toHaveLength(0);
    expect(expectData(await t.gql(COUNT)).history.totalCount).toBe(before);

    // AUTO normalisation: the large PNG is sent at a 1568 px long edge, the photograph unchanged.
    expect(preview.images).toEqual([
      expect.objectContaining({ width: 1568, height: 1000, original: expect.objectContaining({ width: 3136 }) }),
      expect.objectContaining({ width: 720, height: 477, mediaType: 'image/jpeg' }),
    ]);
    const imageTokens = preview.images.reduce(
      (sum: number, i: { estimatedTokens: number }) => sum + i.estimatedTokens,
      0,
    );
    expect(preview.estimatedInputTokens).toBe(imageTokens + Math.ceil(input.prompt.length / 4));
    expect(preview.megapixels).toBeCloseTo((1568 * 1000 + 720 * 477) / 1e6, 9);
    expect(preview).toMatchObject({ serviceTier: 'FLEX', maxOutputTokens: 300 });
    expect(preview.unitPrices).toEqual({ inputUsdPerMillion: '0.165', outputUsdPerMillion: '1.375' });
    // The documented range: input at 75 % and 125 % of the estimate, no output and maxTokens of output.
    const tokens = preview.estimatedInputTokens;
    expect(preview.minCostUsd).toBe(fromAtto(tokenCost(Math.floor(tokens * 0.75), '0.165')));
    expect(preview.maxCostUsd).toBe(fromAtto(tokenCost(Math.ceil(tokens * 1.25), '0.165') + tokenCost(300, '1.375')));
    expect(toAtto(preview.minCostUsd)).toBeLessThan(toAtto(preview.estimatedCostUsd));
    expect(toAtto(preview.estimatedCostUsd)).toBeLessThan(toAtto(preview.maxCostUsd));

    // The request made afterwards costs what the range said, and keeps the same estimate.
    const d = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(d.images).toEqual([
      { width: 1568, height: 1000 },
      { width: 720, height: 477 },
    ]);
    expect(d.estimatedInputTokens).toBe(preview.estimatedInputTokens);
    expect(d.estimatedCostUsd).toBe(preview.estimatedCostUsd);
    expect(d.megapixels).toBeCloseTo(preview.megapixels, 9);
    expect(toAtto(d.costUsd)).toBeGreaterThanOrEqual(toAtto(preview.minCostUsd));
    expect(toAtto(d.costUsd)).toBeLessThanOrEqual(toAtto(preview.maxCostUsd));
    // The emulator counts tokens by the very rule the estimate uses.
    expect(d.usage.inputTokens).toBe(preview.estimatedInputTokens);
  });

  it('refuses in a preview exactly what describeImage would refuse', async () => {
    const image = { base64: toBase64(await solidImage(8, 8)) };
    expectErrorCode(
      await t.gql(PREVIEW, { input: { image, serviceTier: 'FLEX' } }),
      'BAD_USER_INPUT',
      'SERVICE_TIER_UNSUPPORTED',
    );
    expectErrorCode(await t.gql(PREVIEW, { input: { image, tags: ['x'] } }), 'BAD_USER_INPUT', 'TAGS_INVALID');
    expectErrorCode(
      await t.gql(PREVIEW, { input: { image: { base64: 'PHN2Zz48L3N2Zz4=' } } }),
      'BAD_USER_INPUT',
      'IMAGE_UNSUPPORTED',
    );
    expect(t.emulator.calls).toHaveLength(0);
  });

  it('gives no price for a model outside the catalog, and still counts its tokens', async () => {
    const preview = expectData(
      await t.gql(PREVIEW, {
        input: { image: { base64: toBase64(await solidImage(75, 100)) }, modelId: 'acme.vision-v9' },
      }),
    ).previewCost;
    expect(preview).toMatchObject({ unitPrices: null, minCostUsd: null, estimatedCostUsd: null, maxCostUsd: null });
    expect(preview.estimatedInputTokens).toBe(10 + Math.ceil('What is in this image?'.length / 4));
  });

  it('reports megapixels, tokens per megapixel and the estimate error by model in usageSummary', async () => {
    const tag = `run=analytics-${kind}-${Date.now()}`;
    for (const [width, height] of [
      [300, 200],
      [600, 400],
    ]) {
      const d = expectData(
        await t.gql(DESCRIBE, {
          input: {
            image: { base64: toBase64(await solidImage(width!, height!)) },
            modelId: 'amazon.nova-lite-v1:0',
            tags: [tag],
          },
        }),
      ).describeImage;
      expect(d.status).toBe('SUCCEEDED');
    }
    const [bucket] = expectData(
      await t.gql(
        `query($f: HistoryFilter) { usageSummary(filter: $f, groupBy: [MODEL]) { model requests inputTokens megapixels
          inputTokensPerMegapixel estimatedInputTokens estimateErrorPct estimateAbsErrorP95Pct } }`,
        { f: { tags: [tag] } },
      ),
    ).usageSummary;
    const megapixels = (300 * 200 + 600 * 400) / 1e6;
    expect(bucket).toMatchObject({ model: 'amazon.nova-lite-v1:0', requests: 2 });
    expect(bucket.megapixels).toBeCloseTo(megapixels, 9);
    expect(bucket.inputTokensPerMegapixel).toBeCloseTo(bucket.inputTokens / megapixels, 6);
    // On the emulator the estimate is exact: no bias, no error.
    expect(bucket.estimatedInputTokens).toBe(bucket.inputTokens);
    expect(bucket.estimateErrorPct).toBe(0);
    expect(bucket.estimateAbsErrorP95Pct).toBe(0);
  });
});
