import { describe, expect, it } from 'vitest';

interface Series {
  days: string[];
  costByModel: { model: string; values: number[] }[];
  requestsByStatus: { status: string; values: number[] }[];
  inputTokens: number[];
  outputTokens: number[];
  latencyP50Ms: (number | null)[];
  latencyP95Ms: (number | null)[];
  totals: { requests: number; failed: number; costUsd: string };
}

/** The page's module (browser JavaScript without DOM use), imported for its pure functions. */
async function dashboardData(): Promise<{
  dashboardSeries(data: unknown, days: string[], timeZone: string): Series;
  dayIn(instant: string, timeZone: string): string;
}> {
  const path = new URL('../../src/web/assets/dashboardData.js', import.meta.url).href;
  return import(path);
}

const bucket = { requests: 0, inputTokens: 0, outputTokens: 0, costUsd: '0', latencyP50Ms: null, latencyP95Ms: null };

describe('Dashboard series', () => {
  it("puts each bucket on its day in the viewer's time zone, across a daylight-saving change", async () => {
    const { dashboardSeries } = await dashboardData();
    // Berlin moves to summer time on 2026-03-29: its days start at 23:00Z, then 22:00Z.
    const days = ['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30'];
    const series = dashboardSeries(
      {
        byModel: [
          {
            day: '2026-03-26T23:00:00.000Z',
            model: 'a',
            requests: 1,
            inputTokens: 10,
            outputTokens: 1,
            costUsd: '0.5',
          },
          {
            day: '2026-03-28T23:00:00.000Z',
            model: 'a',
            requests: 2,
            inputTokens: 20,
            outputTokens: 2,
            costUsd: '1.25',
          },
          { day: '2026-03-28T23:00:00.000Z', model: 'b', requests: 1, inputTokens: 5, outputTokens: 5, costUsd: '3' },
          { day: '2026-03-29T22:00:00.000Z', model: 'b', requests: 1, inputTokens: 7, outputTokens: 3, costUsd: '0' },
        ],
        byStatus: [
          { day: '2026-03-26T23:00:00.000Z', status: 'SUCCEEDED', requests: 1 },
          { day: '2026-03-28T23:00:00.000Z', status: 'FAILED', requests: 1 },
          { day: '2026-03-28T23:00:00.000Z', status: 'SUCCEEDED', requests: 2 },
          { day: '2026-03-29T22:00:00.000Z', status: 'PENDING', requests: 1 },
        ],
        byDay: [
          { ...bucket, day: '2026-03-26T23:00:00.000Z', requests: 1, latencyP50Ms: 100, latencyP95Ms: 100 },
          { ...bucket, day: '2026-03-28T23:00:00.000Z', requests: 3, latencyP50Ms: 200, latencyP95Ms: 380 },
          { ...bucket, day: '2026-03-29T22:00:00.000Z', requests: 1 },
        ],
        overall: [{ ...bucket, requests: 5, costUsd: '4.75', latencyP50Ms: 150, latencyP95Ms: 370 }],
      },
      days,
      'Europe/Berlin',
    );
    expect(series.days).toEqual(days);
    // Costliest model first; a day without requests is 0, not missing.
    expect(series.costByModel).toEqual([
      { model: 'b', values: [0, 0, 3, 0] },
      { model: 'a', values: [0.5, 0, 1.25, 0] },
    ]);
    expect(series.inputTokens).toEqual([10, 0, 25, 7]);
    expect(series.outputTokens).toEqual([1, 0, 7, 3]);
    expect(series.requestsByStatus).toEqual([
      { status: 'SUCCEEDED', values: [1, 0, 2, 0] },
      { status: 'FAILED', values: [0, 0, 1, 0] },
      { status: 'PENDING', values: [0, 0, 0, 1] },
    ]);
    // No latency is no point (a gap), not a zero.
    expect(series.latencyP50Ms).toEqual([100, null, 200, null]);
    expect(series.latencyP95Ms).toEqual([100, null, 380, null]);
    expect(series.totals).toMatchObject({ requests: 5, failed: 1, costUsd: '4.75' });
  });

  it('names the day an instant starts in the given time zone', async () => {
    const { dayIn } = await dashboardData();
    expect(dayIn('2026-03-28T23:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-29');
    expect(dayIn('2026-03-28T23:00:00.000Z', 'UTC')).toBe('2026-03-28');
    expect(dayIn('2026-11-27T15:00:00.000Z', 'Asia/Tokyo')).toBe('2026-11-28');
  });
});
