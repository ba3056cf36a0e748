import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorCode } from '../helpers/graphqlClient.js';
import { ledgerRow, requestSender, spentOf, startRunsApp, type RunsApp } from '../helpers/ledgerRows.js';
import { toAtto } from '../helpers/money.js';

/**
 * A key's day and month counters only move forward. A request that failed retryably yesterday
 * and is retried today (same clientRequestId) reserves against today, the day it runs, and its
 * completion settles against today. It used to reserve against the row's creation day: the
 * counter went back to yesterday holding only that reservation, today's spend was dropped, and
 * the next request found a new day starting from zero — a way around the daily limit.
 */
describe("a retry on a later day and the key's day counter", () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
  });
  afterAll(() => runs?.stop());

  const counter = async () =>
    (
      await runs.direct.query<{ dayStart: string; spent: string }>(
        `SELECT to_char("dayStart", 'YYYY-MM-DD') AS "dayStart", "daySpentUsd"::text AS spent FROM api_key WHERE id = $1`,
        [runs.key.record.id],
      )
    ).rows[0]!;

  it("counts the retry against today and keeps today's earlier spend", { timeout: 60_000 }, async () => {
    const { t, direct } = runs;
    // Yesterday: throttled on every attempt, so FAILED with a retryable code and nothing billed.
    t.emulator.injectFault({ kind: 'throttle', times: 20 });
    const retry = await requestSender(runs, 'failed-yesterday');
    expectErrorCode(await retry(), 'UPSTREAM_THROTTLED');
    t.emulator.clearFaults();
    await direct.query(
      `UPDATE description_request SET "createdAt" = "createdAt" - interval '1 day' WHERE "clientRequestId" = $1`,
      ['failed-yesterday'],
    );

    // Today: an ordinary request, then the retry of yesterday's.
    const spentBefore = await spentOf(direct, runs.key);
    const today = await (await requestSender(runs, 'made-today'))();
    expect(today.errors, JSON.stringify(today.errors)).toBeUndefined();
    const retried = await retry();
    expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();

    const todayUtc = new Date().toISOString().slice(0, 10);
    const madeToday = await ledgerRow(direct, 'made-today');
    const reopened = await ledgerRow(direct, 'failed-yesterday');
    expect(reopened).toMatchObject({ status: 'SUCCEEDED', run: 2 });
    const { dayStart, spent } = await counter();
    expect(dayStart).toBe(todayUtc);
    expect(toAtto(spent) - toAtto(spentBefore)).toBe(toAtto(madeToday.cost!) + toAtto(reopened.cost!));
  });

  it(
    'keeps a counter already on a later day: a request of the day before counts there, not back',
    { timeout: 60_000 },
    async () => {
      const { direct } = runs;
      // As when a write-ahead that began before midnight commits after one that began after it,
      // or two instances' clocks disagree: the counter has moved to tomorrow.
      await direct.query(`UPDATE api_key SET "dayStart" = "dayStart" + 1 WHERE id = $1`, [runs.key.record.id]);
      const before = await counter();
      const res = await (await requestSender(runs, 'day-before-the-counter'))();
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const { rows } = await direct.query<{ estimate: string }>(
        `SELECT "estimatedCostUsd"::text AS estimate FROM description_request WHERE "clientRequestId" = $1`,
        ['day-before-the-counter'],
      );
      const after = await counter();
      expect(after.dayStart).toBe(before.dayStart);
      // Its reservation stays in tomorrow's spend (its own day's counter is gone): counted, never dropped.
      expect(toAtto(after.spent) - toAtto(before.spent)).toBe(toAtto(rows[0]!.estimate));
    },
  );
});
