import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectErrorCode } from './helpers/graphqlClient.js';
import {
  billedCost,
  ledgerRow,
  sendRunOneThenSweep,
  spentOf,
  startRunsApp,
  type RunsApp,
} from './helpers/ledgerRows.js';
import { toAtto } from './helpers/money.js';

/**
 * A request run three times (an overtaken run 1, a retried run 2, run 3): what Bedrock billed for
 * every run is on the row, and the key's spend moves by exactly the row's cost, once. A reopen used
 * to reserve again without counting the cost already settled for the row, so run 1's cost entered
 * the spend twice.
 */
/**
 * One instance. Run 1 is overtaken after the retry (run 2) ended FAILED with a retryable code
 * (throttled): run 1's cost is added to the FAILED row and settled into the spend. The client
 * retries once more (run 3), which reopens the row (reserving again) and succeeds, its completion
 * counting run 1's cost again in the row's total and settling that total against the new
 * reservation only: run 1's cost is in the spend twice.
 */
describe('spend when an overtaken run was added to a row that failed retryably, then a third run', () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
  });
  afterAll(() => runs?.stop());
  beforeEach(() => {
    runs.t.emulator.clearFaults();
    runs.t.emulator.resetCalls();
  });

  it("the key's spend moves by the row's cost (run 1's cost is not counted twice)", { timeout: 60_000 }, async () => {
    const { t, direct, key } = runs;
    const spentBefore = await spentOf(direct, key);
    // Run 1: a billed answer, late. Run 2: throttled on every attempt (not billed).
    t.emulator.injectFault({ kind: 'slow', delayMs: 3_000 });
    t.emulator.injectFault({ kind: 'throttle', times: 20 });
    const { first, send } = await sendRunOneThenSweep(runs, 'thrice');

    const second = await send();
    expectErrorCode(second, 'UPSTREAM_THROTTLED');
    t.emulator.clearFaults();
    const late = await first;
    expectErrorCode(late, 'REQUEST_IN_PROGRESS');
    const afterRunOne = await ledgerRow(direct, 'thrice');
    expect(afterRunOne).toMatchObject({ status: 'FAILED', errorCode: 'UPSTREAM_THROTTLED', run: 2 });
    expect(afterRunOne.cost).not.toBeNull();
    // So far consistent: the spend holds run 1's cost.
    expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(afterRunOne.cost!));

    // Run 3: the client sends it again; UPSTREAM_THROTTLED is retryable, so the row reopens.
    const third = await send();
    expect(third.errors, JSON.stringify(third.errors)).toBeUndefined();
    const done = await ledgerRow(direct, 'thrice');
    expect(done).toMatchObject({ status: 'SUCCEEDED', run: 3, usageKnown: true });
    expect(toAtto(done.cost!)).toBe(billedCost(done));
    expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(done.cost!));
  });

  it(
    "the same when run 1 was added to run 2's PENDING row and run 2 then failed retryably: spend moves by the row's cost",
    { timeout: 60_000 },
    async () => {
      const { t, direct, key } = runs;
      const spentBefore = await spentOf(direct, key);
      // Run 1 answers (billed) while run 2 is still being throttled.
      t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      t.emulator.injectFault({ kind: 'throttle', delayMs: 1_000, times: 20 });
      const { first, send } = await sendRunOneThenSweep(runs, 'thrice-during');

      const second = send();
      expectErrorCode(await first, 'REQUEST_IN_PROGRESS');
      expect(await ledgerRow(direct, 'thrice-during')).toMatchObject({ status: 'PENDING', run: 2 });
      expectErrorCode(await second, 'UPSTREAM_THROTTLED');
      t.emulator.clearFaults();
      const failed = await ledgerRow(direct, 'thrice-during');
      expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'UPSTREAM_THROTTLED', run: 2 });
      expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(failed.cost!));

      const third = await send();
      expect(third.errors, JSON.stringify(third.errors)).toBeUndefined();
      const done = await ledgerRow(direct, 'thrice-during');
      expect(done).toMatchObject({ status: 'SUCCEEDED', run: 3, usageKnown: true });
      expect(toAtto(done.cost!)).toBe(billedCost(done));
      expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(done.cost!));
    },
  );
});

/**
 * A run whose answer carried no usage (billed, how much unknown) completes a row that an
 * overtaken run added a known cost to. The row's cost is unknown, but the key's spend must
 * keep what is known: the overtaken run's cost. The settle used to count an unknown cost as 0
 * for the whole row, so the known cost left the spend with it.
 */
describe('spend when the run completing a row has no usage and an overtaken run added a known cost', () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
  });
  afterAll(() => runs?.stop());

  it("keeps the overtaken run's known cost in the key's spend", { timeout: 60_000 }, async () => {
    const { t, direct, key } = runs;
    const spentBefore = await spentOf(direct, key);
    t.emulator.injectFault({ kind: 'slow', delayMs: 2_000 });
    t.emulator.injectFault({ kind: 'no-usage', delayMs: 4_000 });
    const { first, send } = await sendRunOneThenSweep(runs, 'known-then-unknown');
    const retried = send();
    expectErrorCode(await first, 'REQUEST_IN_PROGRESS');
    expect((await retried).errors).toBeUndefined();

    const row = await ledgerRow(direct, 'known-then-unknown');
    expect(row).toMatchObject({ status: 'SUCCEEDED', run: 2, usageKnown: false, cost: null });
    expect(row.attempts.map((a) => [a.run, a.billed, a.costUsd !== null])).toEqual([
      [1, true, true],
      [2, true, false],
    ]);
    expect(billedCost(row)).toBeGreaterThan(0n);
    expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(billedCost(row));
  });
});
