import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerAttempt } from '../../src/store/index.js';
import { createTestKey, type TestKey } from '../helpers/apiKeys.js';
import { DATABASES } from '../helpers/databases.js';
import { expectData, expectErrorCode, gql } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { fromAtto, toAtto, tokenCost } from '../helpers/money.js';
import { seedRow, type SeedRow } from '../helpers/seedLedger.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const PREVIEW = /* GraphQL */ `
  query ($input: DescribeImageInput!) {
    previewCost(input: $input) {
      estimatedInputTokens
      calibrationFactor
      calibratedInputTokens
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
      status
      estimatedInputTokens
      estimatedCostUsd
      usage {
        inputTokens
      }
    }
  }
`;

/** One model of each family, as a request names it (profiles and base ids alike). */
const NOVA = 'us.amazon.nova-lite-v1:0';
const LLAMA = 'meta.llama4-maverick-17b-instruct-v1:0';
const PIXTRAL = 'mistral.pixtral-large-2502-v1:0';
const CLAUDE = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const MAX_TOKENS = 200;

interface Preview {
  estimatedInputTokens: number;
  calibrationFactor: number;
  calibratedInputTokens: number;
  unitPrices: { inputUsdPerMillion: string; outputUsdPerMillion: string };
  minCostUsd: string;
  estimatedCostUsd: string;
  maxCostUsd: string;
}

/** What the documented arithmetic gives for `tokens` of input at the preview's prices. */
function pricedAt(preview: Preview, tokens: number) {
  const { inputUsdPerMillion: input, outputUsdPerMillion: output } = preview.unitPrices;
  return {
    minCostUsd: fromAtto(tokenCost(Math.floor(tokens * 0.75), input)),
    estimatedCostUsd: fromAtto(tokenCost(tokens, input) + tokenCost(MAX_TOKENS, output)),
    maxCostUsd: fromAtto(tokenCost(Math.ceil(tokens * 1.25), input) + tokenCost(MAX_TOKENS, output)),
  };
}

/** tokens × factor rounded up, in exact integers. */
const ceilTimes = (tokens: number, factor: number) =>
  Number((BigInt(tokens) * BigInt(Math.round(factor * 1000)) + 999n) / 1000n);

/** A second billed attempt: Bedrock ran (and billed) the prompt twice, so the row's input is two calls' worth. */
const billedTwice: LedgerAttempt[] = [1, 2].map(() => ({
  outcome: 'ANSWERED',
  httpStatus: 200,
  bedrockRequestId: null,
  errorType: null,
  billed: true,
  usage: { inputTokens: 1_300, outputTokens: 5 },
  latencyMs: 10,
  costUsd: null,
}));

describe.each(DATABASES)('the input-token estimate calibrated per model family on %s', (kind) => {
  let t: TestApp;
  let admin: TestKey;
  let image: string;
  const call = <T = Record<string, any>>(query: string, variables: Record<string, unknown>, key = admin) =>
    gql<T>(t.url, query, variables, key.auth);
  const preview = async (modelId: string): Promise<Preview> =>
    expectData(
      await call<{ previewCost: Preview }>(PREVIEW, {
        input: { image: { base64: image }, modelId, maxTokens: MAX_TOKENS },
      }),
    ).previewCost;

  beforeAll(async () => {
    // A folder, not memory, on PGlite: the last test restarts the server on the same ledger.
    t = await startTestApp(kind === 'pglite' ? 'pglite-folder' : kind);
    admin = await createTestKey(t.app.store, { admin: true });
    image = toBase64(await solidImage(600, 400));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('moves previews and new rows by a family’s factor, and leaves families without enough data alone', async () => {
    const before = {
      nova: await preview(NOVA),
      llama: await preview(LLAMA),
      pixtral: await preview(PIXTRAL),
      claude: await preview(CLAUDE),
    };
    // An empty ledger at start-up: the rule as it is, for every family.
    for (const p of Object.values(before)) {
      expect(p.calibrationFactor).toBe(1);
      expect(p.calibratedInputTokens).toBe(p.estimatedInputTokens);
      expect(p).toMatchObject(pricedAt(p, p.estimatedInputTokens));
    }

    const repo = t.app.store.descriptions;
    const recent = new Date(Date.now() - 3_600_000);
    const rows = (count: number, row: SeedRow) => Array.from({ length: count }, () => row);
    const seeded: SeedRow[] = [
      // Nova: Bedrock counts 1.3 × the rule, across two models of the family (one through a profile).
      ...rows(12, {
        createdAt: recent,
        modelId: 'amazon.nova-lite-v1:0',
        estimatedInputTokens: 1_000,
        inputTokens: 1_300,
      }),
      ...rows(12, {
        createdAt: recent,
        modelId: 'us.amazon.nova-2-lite-v1:0',
        estimatedInputTokens: 500,
        inputTokens: 650,
      }),
      // Evidence that must not count: older than the window, usage unknown, billed twice, failed.
      ...rows(30, {
        createdAt: new Date(Date.now() - 40 * 86_400_000),
        modelId: 'amazon.nova-lite-v1:0',
        estimatedInputTokens: 1_000,
        inputTokens: 9_000,
      }),
      ...rows(5, {
        createdAt: recent,
        modelId: 'amazon.nova-lite-v1:0',
        estimatedInputTokens: 1_000,
        inputTokens: 9_000,
        usageKnown: false,
      }),
      ...rows(5, {
        createdAt: recent,
        modelId: 'amazon.nova-lite-v1:0',
        estimatedInputTokens: 1_000,
        inputTokens: 2_600,
        attempts: billedTwice,
      }),
      ...rows(5, {
        createdAt: recent,
        modelId: 'amazon.nova-lite-v1:0',
        estimatedInputTokens: 1_000,
        failedInputTokens: 9_000,
        fail: 'UPSTREAM_ERROR',
      }),
      // Llama: twice the rule, but one request short of the minimum.
      ...rows(19, { createdAt: recent, modelId: LLAMA, estimatedInputTokens: 1_000, inputTokens: 2_000 }),
      // Pixtral and Claude: far off the rule, so their factors stop at the bounds.
      ...rows(20, { createdAt: recent, modelId: PIXTRAL, estimatedInputTokens: 1_000, inputTokens: 3_000 }),
      ...rows(20, {
        createdAt: recent,
        modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0',
        estimatedInputTokens: 1_000,
        inputTokens: 100,
      }),
    ];
    for (const row of seeded) await seedRow(repo, row);

    // Until the next refresh the request path keeps the factors it read: it never queries for them.
    expect((await preview(NOVA)).calibrationFactor).toBe(1);
    const factors = await t.app.calibration!.refresh();
    expect(Object.fromEntries(factors)).toEqual({
      'amazon.nova': { factor: 1.3, requests: 24 },
      'mistral.pixtral': { factor: 2, requests: 20 },
      'anthropic.claude': { factor: 0.5, requests: 20 },
    });

    const after = {
      nova: await preview(NOVA),
      llama: await preview(LLAMA),
      pixtral: await preview(PIXTRAL),
      claude: await preview(CLAUDE),
    };
    for (const [family, factor] of [
      ['nova', 1.3],
      ['llama', 1],
      ['pixtral', 2],
      ['claude', 0.5],
    ] as const) {
      const p = after[family];
      // The rule itself does not move; what is priced does.
      expect(p.estimatedInputTokens, family).toBe(before[family].estimatedInputTokens);
      expect(p.calibrationFactor, family).toBe(factor);
      expect(p.calibratedInputTokens, family).toBe(ceilTimes(p.estimatedInputTokens, factor));
      expect(p, family).toMatchObject(pricedAt(p, p.calibratedInputTokens));
    }
    expect(toAtto(after.nova.estimatedCostUsd)).toBeGreaterThan(toAtto(before.nova.estimatedCostUsd));
    expect(after.llama).toEqual(before.llama);

    // A new row reserves what the preview said, and keeps the rule's estimate beside Bedrock's count, so the
    // next refresh learns from the rule again rather than from its own correction.
    const row = expectData(
      await call(DESCRIBE, { input: { image: { base64: image }, modelId: NOVA, maxTokens: MAX_TOKENS } }),
    ).describeImage;
    expect(row.status).toBe('SUCCEEDED');
    expect(row.estimatedCostUsd).toBe(after.nova.estimatedCostUsd);
    expect(row.estimatedInputTokens).toBe(after.nova.estimatedInputTokens);
    expect(row.usage.inputTokens).toBe(after.nova.estimatedInputTokens);
  });

  it('reserves the calibrated cost against a key’s budget', async () => {
    const nova = await preview(NOVA);
    expect(nova.calibrationFactor).toBeGreaterThan(1);
    const rule = pricedAt(nova, nova.estimatedInputTokens).estimatedCostUsd;
    // Enough for the rule's estimate, not for the calibrated one.
    const between = fromAtto((toAtto(rule) + toAtto(nova.estimatedCostUsd)) / 2n);
    const key = await createTestKey(t.app.store, { dailyUsd: between });
    expectErrorCode(
      await call(DESCRIBE, { input: { image: { base64: image }, modelId: NOVA, maxTokens: MAX_TOKENS } }, key),
      'BUDGET_EXCEEDED',
    );
  });

  it('reads the factors at start-up', async () => {
    const factors = await t.app.calibration!.refresh();
    await t.stop({ keepDatabase: true });
    t = await startTestApp(kind === 'pglite' ? 'pglite-folder' : kind, { database: t.database });
    expect((await preview(NOVA)).calibrationFactor).toBe(factors.get('amazon.nova')!.factor);
    expect((await preview(PIXTRAL)).calibrationFactor).toBe(2);
  });
});
