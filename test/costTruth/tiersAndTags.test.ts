import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { expectData, expectErrorCode } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { fromAtto, tokenCost } from '../helpers/money.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const NOVA_2_LITE = 'us.amazon.nova-2-lite-v1:0';

const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      modelId
      serviceTier
      tags
      costUsd
      usage {
        inputTokens
        outputTokens
      }
      unitPrices {
        inputUsdPerMillion
        outputUsdPerMillion
        cacheReadUsdPerMillion
        cacheWriteUsdPerMillion
      }
    }
  }
`;
const IDS = /* GraphQL */ `
  query ($filter: HistoryFilter) {
    history(filter: $filter, first: 100) {
      totalCount
      edges {
        node {
          id
        }
      }
    }
  }
`;

describe.each(DATABASES)('service tiers and tags on %s', (kind) => {
  let t: TestApp;
  let image: string;
  const describeImage = (input: Record<string, unknown>) =>
    t.gql(DESCRIBE, { input: { image: { base64: image }, modelId: NOVA_2_LITE, ...input } });
  const ids = async (filter: Record<string, unknown>) =>
    (expectData(await t.gql(IDS, { filter })).history.edges as { node: { id: string } }[]).map((e) => e.node.id).sort();

  beforeAll(async () => {
    t = await startTestApp(kind);
    image = toBase64(await solidImage(64, 48));
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  it('sends the tier as Converse serviceTier and the tags as requestMetadata, and prices the tier', async () => {
    const d = expectData(
      await describeImage({ serviceTier: 'FLEX', tags: ['team=vision', 'feature=alt text', 'customer=acme-1'] }),
    ).describeImage;
    expect(t.emulator.calls).toHaveLength(1);
    const body = t.emulator.calls[0]!.body as Record<string, unknown>;
    expect(body.serviceTier).toEqual({ type: 'flex' });
    expect(body.requestMetadata).toEqual({ team: 'vision', feature: 'alt text', customer: 'acme-1' });
    expect(d.status).toBe('SUCCEEDED');
    expect(d.serviceTier).toBe('FLEX');
    expect(d.tags).toEqual(['customer=acme-1', 'feature=alt text', 'team=vision']);
    // Nova 2 Lite through us.: $0.33 / $2.75 per million at Standard, half of it at Flex.
    expect(d.unitPrices).toEqual({
      inputUsdPerMillion: '0.165',
      outputUsdPerMillion: '1.375',
      cacheReadUsdPerMillion: '0.04125',
      cacheWriteUsdPerMillion: null,
    });
    expect(d.costUsd).toBe(
      fromAtto(tokenCost(d.usage.inputTokens, '0.165') + tokenCost(d.usage.outputTokens, '1.375')),
    );
  });

  it('lists the tiers each model offers with their price factors', async () => {
    const models = expectData(await t.gql(`{ models { id serviceTiers { tier priceFactor } } }`)).models as {
      id: string;
      serviceTiers: unknown[];
    }[];
    expect(models.find((m) => m.id === 'amazon.nova-2-lite-v1:0')!.serviceTiers).toEqual([
      { tier: 'PRIORITY', priceFactor: '1.75' },
      { tier: 'FLEX', priceFactor: '0.5' },
    ]);
    expect(models.find((m) => m.id === 'anthropic.claude-3-sonnet-20240229-v1:0')!.serviceTiers).toEqual([]);
  });

  it('sends Converse neither field for a DEFAULT request without tags, and charges Standard prices', async () => {
    const d = expectData(await describeImage({ serviceTier: 'DEFAULT' })).describeImage;
    const body = t.emulator.calls[0]!.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('serviceTier');
    expect(body).not.toHaveProperty('requestMetadata');
    expect(d.serviceTier).toBe('DEFAULT');
    expect(d.tags).toEqual([]);
    expect(d.unitPrices.inputUsdPerMillion).toBe('0.33');
    expect(d.unitPrices.outputUsdPerMillion).toBe('2.75');
  });

  it('sends the Priority tier to InvokeModel as its service-tier header, leaving the seed body alone', async () => {
    const d = expectData(
      await describeImage({
        modelId: 'global.anthropic.claude-sonnet-4-6',
        api: 'INVOKE_MODEL',
        serviceTier: 'PRIORITY',
      }),
    ).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(t.emulator.calls[0]!.operation).toBe('InvokeModel');
    expect(t.emulator.calls[0]!.body).not.toHaveProperty('serviceTier');
    // Sonnet 4.6 through global.: $3 / $15; Priority is 1.75 times that.
    expect(d.unitPrices.inputUsdPerMillion).toBe('5.25');
    expect(d.unitPrices.outputUsdPerMillion).toBe('26.25');
  });

  it('refuses a tier the model does not offer, and malformed tags, before any call or row', async () => {
    const before = expectData(await t.gql(IDS, {})).history.totalCount;
    expectErrorCode(
      await describeImage({ modelId: 'anthropic.claude-3-sonnet-20240229-v1:0', serviceTier: 'PRIORITY' }),
      'BAD_USER_INPUT',
      'SERVICE_TIER_UNSUPPORTED',
    );
    for (const tags of [
      Array.from({ length: 11 }, (_, i) => `k${i}=v`),
      ['no-value-separator'],
      ['=value'],
      ['a key=v'],
      ['team=a', 'team=b'],
      [`k=${'v'.repeat(257)}`],
      [`${'k'.repeat(65)}=v`],
      ['k=line\nbreak'],
      ['k=semi;colon'],
    ]) {
      expectErrorCode(await describeImage({ tags }), 'BAD_USER_INPUT', 'TAGS_INVALID');
    }
    expect(t.emulator.calls).toHaveLength(0);
    expect(expectData(await t.gql(IDS, {})).history.totalCount).toBe(before);
  });

  it('filters history by all given tags and by tier, groups usage by a tag key and by tier, and exports both', async () => {
    const run = `run-${kind}-${Date.now()}`;
    const made = async (input: Record<string, unknown>) =>
      expectData(await describeImage(input)).describeImage.id as string;
    const a = await made({ tags: [`run=${run}`, 'team=vision', 'feature=alt-text'], serviceTier: 'FLEX' });
    const b = await made({ tags: [`run=${run}`, 'team=vision', 'feature=captions'] });
    const c = await made({ tags: [`run=${run}`, 'team=search'], serviceTier: 'PRIORITY' });

    expect(await ids({ tags: [`run=${run}`] })).toEqual([a, b, c].sort());
    expect(await ids({ tags: [`run=${run}`, 'team=vision'] })).toEqual([a, b].sort());
    expect(await ids({ tags: ['feature=alt-text', `run=${run}`, 'team=vision'] })).toEqual([a]);
    expect(await ids({ tags: [`run=${run}`, 'team=nobody'] })).toEqual([]);
    expect(await ids({ tags: [`run=${run}`], serviceTier: ['FLEX', 'PRIORITY'] })).toEqual([a, c].sort());
    expectErrorCode(await t.gql(IDS, { filter: { tags: ['not a tag'] } }), 'BAD_USER_INPUT', 'FILTER_INVALID');

    const summary = expectData(
      await t.gql(
        `query($f: HistoryFilter) { usageSummary(filter: $f, groupBy: [SERVICE_TIER], groupByTag: "team") {
          serviceTier tag requests } }`,
        { f: { tags: [`run=${run}`] } },
      ),
    ).usageSummary;
    expect(summary).toEqual(
      expect.arrayContaining([
        { serviceTier: 'FLEX', tag: 'vision', requests: 1 },
        { serviceTier: 'DEFAULT', tag: 'vision', requests: 1 },
        { serviceTier: 'PRIORITY', tag: 'search', requests: 1 },
      ]),
    );
    expect(summary).toHaveLength(3);
    const byFeature = expectData(
      await t.gql(`query($f: HistoryFilter) { usageSummary(filter: $f, groupByTag: "feature") { tag requests } }`, {
        f: { tags: [`run=${run}`] },
      }),
    ).usageSummary;
    expect(byFeature).toEqual([
      { tag: 'alt-text', requests: 1 },
      { tag: 'captions', requests: 1 },
      { tag: null, requests: 1 },
    ]);

    const base = t.url.replace(/\/graphql$/, '');
    const ndjson = await (await fetch(`${base}/export/history.ndjson?tags=run=${run},team=vision`)).text();
    const lines = ndjson
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; serviceTier: string; tags: string });
    expect(lines.map((l) => l.id).sort()).toEqual([a, b].sort());
    expect(lines.find((l) => l.id === a)).toMatchObject({
      serviceTier: 'FLEX',
      tags: `feature=alt-text;run=${run};team=vision`,
    });
    const csv = await (await fetch(`${base}/export/history.csv?tags=run=${run}&serviceTier=PRIORITY`)).text();
    const [header, record] = csv
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const cell = (name: string) => record![header!.indexOf(name)];
    expect(cell('serviceTier')).toBe('PRIORITY');
    expect(cell('tags')).toBe(`run=${run};team=search`);
  });
});
