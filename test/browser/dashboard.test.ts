import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRow, type SeedRow } from '../helpers/seedLedger.js';
import { openBrowser, saveScreenshot, type BrowserSession } from './browserHarness.js';
import { startWebApp, type WebApp } from './startWebApp.js';

/** The browser's time zone: nine hours ahead of UTC all year, so its days and UTC's differ by a known amount. */
const ZONE = 'Asia/Tokyo';
const ZONE_OFFSET_MS = 9 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** The seed's model: retired by Bedrock, and marked so in every catalog since. */
const RETIRED_DEFAULT = 'anthropic.claude-3-sonnet-20240229-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_LITE = 'amazon.nova-lite-v1:0';
const NOVA_PRO = 'amazon.nova-pro-v1:0';

/** YYYY-MM-DD of an instant in ZONE. */
const zoneDay = (at: Date) => new Date(at.getTime() + ZONE_OFFSET_MS).toISOString().slice(0, 10);
/** The first instant of a ZONE day. */
const zoneMidnight = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - ZONE_OFFSET_MS);

interface ChartData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

interface Bucket {
  day: string;
  model: string | null;
  status: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

/**
 * A ledger over the last two weeks of ZONE days: four models, a few requests a day (fewer
 * at the weekend), some failures and a pending one, with costs and latencies that differ by
 * model. Deterministic, so a screenshot looks the same from run to run (up to the dates).
 */
function ledgerRows(now: Date): SeedRow[] {
  const rows: SeedRow[] = [];
  const today = zoneDay(now);
  const models = [
    { modelId: HAIKU, cost: 0.0021, latency: 900, tokens: [1500, 180] },
    { modelId: SONNET, cost: 0.0095, latency: 2600, tokens: [1600, 320] },
    { modelId: NOVA_LITE, cost: 0.00012, latency: 600, tokens: [1400, 150] },
    { modelId: NOVA_PRO, cost: 0.0016, latency: 1400, tokens: [1450, 210] },
  ];
  for (let back = 13; back >= 1; back--) {
    const day = zoneDay(new Date(zoneMidnight(today).getTime() - back * DAY_MS));
    const count = 3 + ((back * 7) % 6);
    for (let i = 0; i < count; i++) {
      const m = models[(back + i) % models.length]!;
      const createdAt = new Date(zoneMidnight(day).getTime() + (8 + i) * 3600_000 + back * 60_000);
      const wobble = 1 + ((i * 37 + back * 11) % 10) / 20;
      const failed = (back + i) % 9 === 0;
      rows.push({
        createdAt,
        modelId: m.modelId,
        prompt: `Request ${back}.${i}`,
        inputTokens: Math.round(m.tokens[0]! * wobble),
        outputTokens: Math.round(m.tokens[1]! * wobble),
        costUsd: (m.cost * wobble).toFixed(6),
        latencyMs: Math.round(m.latency * wobble),
        ...(failed ? { fail: 'UPSTREAM_THROTTLED', latencyMs: 40 + i } : {}),
      });
    }
  }
  // Two requests half an hour after ZONE midnight: UTC still says the day before.
  const yesterday = zoneDay(new Date(zoneMidnight(today).getTime() - DAY_MS));
  for (const minutes of [20, 35]) {
    rows.push({
      createdAt: new Date(zoneMidnight(yesterday).getTime() + minutes * 60_000),
      modelId: SONNET,
      prompt: 'Just after midnight',
      costUsd: '0.012500',
      latencyMs: 3000,
    });
  }
  rows.push({ createdAt: new Date(now.getTime() - 5_000), modelId: HAIKU, prompt: 'Still running', pending: true });
  return rows;
}

describe('Web app: the usage dashboard', () => {
  let web: WebApp;
  let session: BrowserSession;
  let from = '';
  let to = '';

  beforeAll(async () => {
    web = await startWebApp({ defaultModelId: RETIRED_DEFAULT });
    const now = new Date();
    for (const row of ledgerRows(now)) await seedRow(web.testApp.app.store.descriptions, row);
    session = await openBrowser({ timezoneId: ZONE });
  });

  afterAll(async () => {
    await session?.close();
    await web?.stop();
  });

  /** usageSummary over the dashboard's range, as any client would ask for it. */
  async function summary(groupBy: string[], timeZone = ZONE): Promise<Bucket[]> {
    const filter = {
      createdAfter: zoneMidnight(from).toISOString(),
      createdBefore: new Date(zoneMidnight(to).getTime() + DAY_MS).toISOString(),
    };
    const res = await web.testApp.gql<{ usageSummary: Bucket[] }>(
      `query ($filter: HistoryFilter, $groupBy: [UsageGroupBy!]!, $timeZone: String) {
        usageSummary(filter: $filter, groupBy: $groupBy, timeZone: $timeZone) {
          day model status requests inputTokens outputTokens costUsd latencyP50Ms latencyP95Ms
        }
      }`,
      { filter, groupBy, timeZone },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.usageSummary;
  }

  /** The range's days, as the page shows them (its From and To fields). */
  function rangeDays(): string[] {
    const days: string[] = [];
    for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
      days.push(new Date(t).toISOString().slice(0, 10));
    }
    return days;
  }

  /** Each chart's data as Chart.js holds it, read back through Chart.js's own registry in the page. */
  async function chartData(): Promise<Record<string, ChartData>> {
    const { page } = session;
    const chartUrl = await page.locator('link[rel="modulepreload"][href^="/assets/chart.js."]').getAttribute('href');
    expect(chartUrl).not.toBeNull();
    // A string, not a function: vitest would rewrite a function's import() for Node. In the page,
    // the same URL is the same module instance, so this is the page's own Chart.js registry.
    const read = `(async () => {
      const { Chart } = await import(new URL(${JSON.stringify(chartUrl)}, location.href).href);
      const out = {};
      for (const canvas of document.querySelectorAll('#usage-charts canvas')) {
        const chart = Chart.getChart(canvas);
        out[canvas.id.replace(/^chart-/, '')] = {
          labels: [...chart.data.labels],
          datasets: chart.data.datasets.map((d) => ({ label: d.label, data: [...d.data] })),
        };
      }
      return out;
    })()`;
    return (await page.evaluate(read)) as Record<string, ChartData>;
  }

  it("opens with the last two weeks of the viewer's days and draws the four charts", async () => {
    const { page } = session;
    await page.goto(`${web.origin}/`);
    await page.locator('#usage-charts[data-loaded]').waitFor();
    from = await page.locator('#usage-from').inputValue();
    to = await page.locator('#usage-to').inputValue();
    expect(to).toBe(zoneDay(new Date()));
    expect(rangeDays()).toHaveLength(14);
    expect(await page.locator('#usage-zone').textContent()).toBe(`Days in ${ZONE}`);
    const charts = await chartData();
    expect(Object.keys(charts)).toEqual(['cost', 'status', 'tokens', 'latency']);
    for (const [id, chart] of Object.entries(charts)) expect(chart.labels, id).toHaveLength(14);
    // Drawn: every canvas has a size and pixels that are not all blank.
    for (const canvas of await page.locator('#usage-charts canvas').all()) {
      const box = await canvas.boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
    }
    await saveScreenshot(page.locator('section.usage'), 'dashboard');
  });

  it('shows cost per day by model exactly as usageSummary sums it, in the browser time zone', async () => {
    const days = rangeDays();
    const buckets = await summary(['DAY', 'MODEL']);
    const names = new Map(
      ((await web.testApp.gql('{ models { id name } }')).data!.models as { id: string; name: string }[]).map((m) => [
        m.id,
        m.name,
      ]),
    );
    const expected = new Map<string, number[]>();
    for (const b of buckets) {
      const values = expected.get(names.get(b.model!) ?? b.model!) ?? days.map(() => 0);
      values[days.indexOf(zoneDay(new Date(b.day)))]! += Number(b.costUsd);
      expected.set(names.get(b.model!) ?? b.model!, values);
    }
    const { cost } = await chartData();
    expect(Object.fromEntries(cost.datasets.map((d) => [d.label, d.data]))).toEqual(Object.fromEntries(expected));
    expect(cost.datasets).toHaveLength(4);

    // The two requests just after midnight in Tokyo are on yesterday's column, which in UTC
    // they are not: the chart's days are the viewer's.
    const yesterday = days.length - 2;
    const sonnet = cost.datasets.find((d) => d.label === names.get(SONNET))!;
    const utcBuckets = await summary(['DAY', 'MODEL'], 'UTC');
    const utcSonnetYesterday = utcBuckets
      .filter((b) => b.model === SONNET && b.day.slice(0, 10) === days[yesterday])
      .reduce((sum, b) => sum + Number(b.costUsd), 0);
    expect(sonnet.data[yesterday]).toBeGreaterThanOrEqual(0.025);
    expect(sonnet.data[yesterday]).not.toBe(utcSonnetYesterday);
  });

  it('shows requests by status, tokens in and out, and latency percentiles as usageSummary has them', async () => {
    const days = rangeDays();
    const byStatus = await summary(['DAY', 'STATUS']);
    const byDay = await summary(['DAY']);
    const at = (b: Bucket) => days.indexOf(zoneDay(new Date(b.day)));
    const { status, tokens, latency } = await chartData();

    const expectedStatus: Record<string, number[]> = {};
    for (const b of byStatus) (expectedStatus[b.status!.toLowerCase()] ??= days.map(() => 0))[at(b)] = b.requests;
    expect(Object.fromEntries(status.datasets.map((d) => [d.label, d.data]))).toEqual(expectedStatus);
    expect(Object.keys(expectedStatus).sort()).toEqual(['failed', 'pending', 'succeeded']);

    const series = (pick: (b: Bucket) => number | null, empty: number | null) => {
      const values: (number | null)[] = days.map(() => empty);
      for (const b of byDay) values[at(b)] = pick(b);
      return values;
    };
    expect(tokens.datasets).toEqual([
      { label: 'input', data: series((b) => b.inputTokens, 0) },
      { label: 'output', data: series((b) => b.outputTokens, 0) },
    ]);
    expect(latency.datasets).toEqual([
      { label: 'p50', data: series((b) => b.latencyP50Ms, null) },
      { label: 'p95', data: series((b) => b.latencyP95Ms, null) },
    ]);

    const [total] = await summary([]);
    const failed = byStatus.filter((b) => b.status === 'FAILED').reduce((sum, b) => sum + b.requests, 0);
    const { page } = session;
    expect(await page.locator('[data-total="requests"] dd').first().textContent()).toBe(
      total!.requests.toLocaleString('en-US'),
    );
    expect(await page.locator('[data-total="failed"] dd').first().textContent()).toBe(String(failed));
  });

  it('follows a narrower range, and a request described on the page', async () => {
    const { page } = session;
    await page.locator('[data-days="7"]').click();
    await expect.poll(async () => (await chartData()).cost.labels.length).toBe(7);
    from = await page.locator('#usage-from').inputValue();
    const [week] = await summary([]);
    await page
      .locator('[data-total="requests"] dd', { hasText: new RegExp(`^${week!.requests}$`) })
      .first()
      .waitFor();

    await page.locator('#use-sample').click();
    await page.locator('#preview-name', { hasText: 'photo-board.jpg' }).waitFor();
    await page.locator('#describe').click();
    await page.locator('#result.succeeded').waitFor({ timeout: 20_000 });
    await page
      .locator('[data-total="requests"] dd', { hasText: new RegExp(`^${week!.requests + 1}$`) })
      .first()
      .waitFor();
    const [after] = await summary([]);
    expect(after!.requests).toBe(week!.requests + 1);
  });

  it("pre-selects the default model's successor when the default is at end of life", async () => {
    const { page } = session;
    const data = (await web.testApp.gql('{ settings { defaultModelId } models { id lifecycle successor } }')).data!;
    expect(data.settings.defaultModelId).toBe(RETIRED_DEFAULT);
    const models = data.models as { id: string; lifecycle: string; successor: string | null }[];
    const successor = models.find((m) => m.id === RETIRED_DEFAULT)!.successor;
    expect(models.find((m) => m.id === successor)).toMatchObject({ lifecycle: 'ACTIVE' });
    expect(await page.locator('#model').inputValue()).toBe(successor);
  });

  it('needed nothing beyond loopback and raised no errors', () => {
    expect(session.offLoopback).toEqual([]);
    expect(session.errors).toEqual([]);
    expect(session.httpErrors).toEqual([]);
  });
});
