import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectErrorCode, gql } from './helpers/graphqlClient.js';
import {
  billedCost,
  lapseAndSweep,
  ledgerRow,
  requestSender,
  sendRunOneThenSweep,
  spentOf,
  startRunsApp,
  waitForRow,
  type RunsApp,
} from './helpers/ledgerRows.js';
import { toAtto } from './helpers/money.js';
import type { JournalEntry } from '../src/store/completionJournal.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy.js';

/**
 * A run's completion kept in the completion journal (the database was away past
 * COMPLETION_RETRY_MS) meets, when it is replayed, a row that a retry changed meanwhile: a later
 * run holds it, or an overtaken run added its attempts to it. The replay must do what the
 * completion would have done: keep every billed attempt on the row and in the key's spend,
 * once, however often it is replayed. It used to write only a row still at its own run, and
 * then over whatever attempts the row had gained.
 */
describe('replaying a journaled completion onto a row a retry changed', () => {
  let runs: RunsApp;
  let proxy: TcpProxy;
  const journalDir = `/tmp/bvg-journal-replay-${process.pid}`;
  const journalFile = () => join(journalDir, `${runs.t.app.store.lease!.id}.jsonl`);

  beforeAll(async () => {
    proxy = await startTcpProxy(5432);
    runs = await startRunsApp({ viaPort: proxy.port, completion: { retryMs: 500, journalDir } });
  });
  afterAll(async () => {
    await proxy?.restore();
    await runs?.stop();
    await proxy?.close();
  });
  beforeEach(async () => {
    await proxy.restore();
    runs.t.emulator.clearFaults();
  });

  /** Run 2 holds the row, SUCCEEDED; both runs' billed attempts are on it and in the key's spend, once. */
  async function expectBothRunsCounted(clientRequestId: string, spentBefore: string) {
    const row = await ledgerRow(runs.direct, clientRequestId);
    expect(row).toMatchObject({ status: 'SUCCEEDED', run: 2, usageKnown: true });
    expect(row.attempts.map((a) => [a.run, a.billed]).sort()).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(toAtto(row.cost!)).toBe(billedCost(row));
    expect(toAtto(await spentOf(runs.direct, runs.key)) - toAtto(spentBefore)).toBe(toAtto(row.cost!));
    return row;
  }

  it(
    "run 1's journaled answer, replayed after run 2 completed the row, adds run 1's attempt and cost once, however often it is replayed",
    { timeout: 60_000 },
    async () => {
      const { t, direct, key } = runs;
      const spentBefore = await spentOf(direct, key);
      t.emulator.injectFault({ kind: 'slow', delayMs: 2_500 });
      const { first, send } = await sendRunOneThenSweep(runs, 'journaled-overtaken');
      const retried = await send();
      expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
      // Run 1's answer arrives while this process has lost the database: it goes to the journal.
      await proxy.refuse();
      expect((await first).errors).toBeUndefined();
      const kept = await readFile(journalFile(), 'utf8');
      await proxy.restore();

      expect(await t.app.store.replayCompletions()).toBe(1);
      const row = await expectBothRunsCounted('journaled-overtaken', spentBefore);
      // The API shows which run made each attempt.
      const read = await gql(
        t.url,
        'query ($id: ID!) { description(id: $id) { attempts { run billed } } }',
        { id: row.id },
        key.auth,
      );
      expect(read.data).toEqual({
        description: {
          attempts: expect.arrayContaining([
            { run: 1, billed: true },
            { run: 2, billed: true },
          ]),
        },
      });

      // A replay cut short by a crash (the file not yet removed) is replayed again: nothing is added twice.
      await writeFile(journalFile(), kept);
      expect(await t.app.store.replayCompletions()).toBe(1);
      expect(await ledgerRow(direct, 'journaled-overtaken')).toEqual(row);
      expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(row.cost!));
    },
  );

  it(
    "run 2's journaled answer, replayed after run 1 added its attempt to the row, counts both attempts",
    { timeout: 60_000 },
    async () => {
      const { t, direct, key } = runs;
      const spentBefore = await spentOf(direct, key);
      t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      t.emulator.injectFault({ kind: 'slow', delayMs: 4_000 });
      const { first, send } = await sendRunOneThenSweep(runs, 'journaled-recount');
      const retried = send();
      expectErrorCode(await first, 'REQUEST_IN_PROGRESS');
      expect((await ledgerRow(direct, 'journaled-recount')).attempts).toHaveLength(1);
      // Run 2's answer arrives while this process has lost the database.
      await proxy.refuse();
      expect((await retried).errors).toBeUndefined();
      await proxy.restore();

      expect(await t.app.store.replayCompletions()).toBe(1);
      await expectBothRunsCounted('journaled-recount', spentBefore);
    },
  );

  /**
   * A run's own INTERRUPTED answer (the server stopped while it ran) leaves its row completable,
   * since a sweep's INTERRUPTED must be (a run cut off from the database answers later). So a
   * repeat of that answer (a journal file applied again after a crash cut the replay short, or a
   * write whose acknowledgement was lost, retried) finds the row still open to it. It must add
   * the run's attempts once and settle the reservation once. It used to append them again and
   * settle again: two attempts, and the spend moved twice.
   */
  describe("a run's own INTERRUPTED answer, journaled, applied twice", () => {
    /** Runs `clientRequestId` into the journal (the database cut), then rewrites its entry as the run's INTERRUPTED failure. */
    async function journalInterrupted(clientRequestId: string, withAttempts: boolean) {
      const send = await requestSender(runs, clientRequestId);
      runs.t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      const answer = send();
      await waitForRow(runs.direct, clientRequestId);
      await proxy.refuse();
      expect((await answer).errors).toBeUndefined();
      const entry = JSON.parse((await readFile(journalFile(), 'utf8')).trim()) as JournalEntry;
      await proxy.restore();
      if (entry.kind !== 'succeed') throw new Error('expected a journaled success');
      const { outcome } = entry;
      const accounting = withAttempts
        ? { attempts: outcome.attempts, usage: outcome.usage, usageKnown: outcome.usageKnown, costUsd: outcome.costUsd }
        : { attempts: [], usage: {}, usageKnown: true, costUsd: null };
      const interrupted: JournalEntry = {
        id: entry.id,
        run: entry.run,
        attemptsBefore: entry.attemptsBefore,
        unitPrices: entry.unitPrices,
        completedAt: entry.completedAt,
        kind: 'fail',
        failure: {
          code: 'INTERRUPTED',
          message: 'The server stopped while this request was running',
          latencyMs: outcome.latencyMs,
          bedrockRequestId: outcome.bedrockRequestId,
          ...accounting,
        },
      };
      const line = `${JSON.stringify(interrupted)}\n`;
      await writeFile(journalFile(), line);
      return line;
    }

    it(
      'with a billed attempt: the row holds it once and the spend counts its cost once',
      { timeout: 60_000 },
      async () => {
        const { t, direct, key } = runs;
        const spentBefore = await spentOf(direct, key);
        const line = await journalInterrupted('own-interrupted-billed', true);
        expect(await t.app.store.replayCompletions()).toBe(1);
        const row = await ledgerRow(direct, 'own-interrupted-billed');
        expect(row).toMatchObject({ status: 'FAILED', errorCode: 'INTERRUPTED', run: 1 });
        expect(row.attempts.map((a) => [a.run, a.billed])).toEqual([[1, true]]);
        expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(row.cost!));

        await writeFile(journalFile(), line);
        expect(await t.app.store.replayCompletions()).toBe(1);
        expect(await ledgerRow(direct, 'own-interrupted-billed')).toEqual(row);
        expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(row.cost!));
      },
    );

    it('before any attempt: the reservation is released once', { timeout: 60_000 }, async () => {
      const { t, direct, key } = runs;
      const spentBefore = await spentOf(direct, key);
      const line = await journalInterrupted('own-interrupted-unbilled', false);
      expect(await t.app.store.replayCompletions()).toBe(1);
      const row = await ledgerRow(direct, 'own-interrupted-unbilled');
      expect(row).toMatchObject({ status: 'FAILED', errorCode: 'INTERRUPTED', attempts: [], cost: null });
      expect(await spentOf(direct, key)).toBe(spentBefore);

      await writeFile(journalFile(), line);
      expect(await t.app.store.replayCompletions()).toBe(1);
      expect(await ledgerRow(direct, 'own-interrupted-unbilled')).toEqual(row);
      expect(await spentOf(direct, key)).toBe(spentBefore);
    });
  });

  it(
    'a journal entry written before runs and attempt counts existed still completes its row',
    { timeout: 60_000 },
    async () => {
      const { t, direct } = runs;
      const send = await requestSender(runs, 'journaled-legacy');
      t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      const answer = send();
      await waitForRow(direct, 'journaled-legacy');
      await proxy.refuse();
      const res = await answer;
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const entry = JSON.parse((await readFile(journalFile(), 'utf8')).trim()) as Record<string, unknown>;
      const legacy = Object.fromEntries(
        Object.entries(entry).filter(([field]) => !['run', 'attemptsBefore', 'unitPrices'].includes(field)),
      );
      await writeFile(journalFile(), `${JSON.stringify(legacy)}\n`);
      await proxy.restore();

      expect(await t.app.store.replayCompletions()).toBe(1);
      const row = await ledgerRow(direct, 'journaled-legacy');
      const described = res.data!.describeImage as { costUsd: string };
      expect(row).toMatchObject({ status: 'SUCCEEDED', run: 1, usageKnown: true });
      expect(toAtto(row.cost!)).toBe(toAtto(described.costUsd));
    },
  );
});

/**
 * An overtaken run whose answer carried no usage (Bedrock billed it; how much is unknown) is
 * added to a row whose cost was known: the row's cost becomes unknown, and the key's spend
 * must not fall by the cost it already counted. It used to move by the difference between the
 * new cost (null, taken as 0) and the old, giving the whole cost back.
 */
describe('an overtaken run without usage added to a completed row', () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
  });
  afterAll(() => runs?.stop());

  it('makes the row cost unknown and keeps the spend it had counted', { timeout: 60_000 }, async () => {
    const { t, direct, key } = runs;
    const spentBefore = await spentOf(direct, key);
    t.emulator.injectFault({ kind: 'no-usage', delayMs: 2_500 });
    const { first, send } = await sendRunOneThenSweep(runs, 'late-no-usage');
    const retried = await send();
    expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
    const completed = await ledgerRow(direct, 'late-no-usage');
    expect(completed.cost).not.toBeNull();

    expectErrorCode(await first, 'REQUEST_IN_PROGRESS');
    const row = await ledgerRow(direct, 'late-no-usage');
    expect(row).toMatchObject({ status: 'SUCCEEDED', run: 2, usageKnown: false, cost: null });
    expect(row.attempts).toHaveLength(2);
    expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(completed.cost!));
  });
});

/**
 * Both runs lose their lease: run 1's row is swept, the retry (run 2) reopens it and is swept
 * too, then run 1's answer is added to the INTERRUPTED row (its cost into the spend) and run 2's
 * late answer completes it, counting run 1 in. Run 2's settle must not count run 1's cost again:
 * the addition raised what the spend holds for the row.
 */
describe('an overtaken run added to a row swept a second time, then completed by the later run', () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
  });
  afterAll(() => runs?.stop());

  it("moves the key's spend by the row's cost once", { timeout: 60_000 }, async () => {
    const { t, direct, key } = runs;
    const spentBefore = await spentOf(direct, key);
    t.emulator.injectFault({ kind: 'slow', delayMs: 2_000 });
    t.emulator.injectFault({ kind: 'slow', delayMs: 4_000 });
    const { first, send } = await sendRunOneThenSweep(runs, 'swept-twice');
    const second = send();
    await waitForRow(direct, 'swept-twice', `run = 2 AND status = 'PENDING'`);
    await lapseAndSweep(direct, t);

    expectErrorCode(await first, 'REQUEST_IN_PROGRESS');
    expect((await second).errors).toBeUndefined();
    const row = await ledgerRow(direct, 'swept-twice');
    expect(row).toMatchObject({ status: 'SUCCEEDED', run: 2, usageKnown: true });
    expect(row.attempts).toHaveLength(2);
    expect(toAtto(row.cost!)).toBe(billedCost(row));
    expect(toAtto(await spentOf(direct, key)) - toAtto(spentBefore)).toBe(toAtto(row.cost!));
  });
});
