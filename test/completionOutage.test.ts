import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFreshPostgresDatabase } from './helpers/databases.js';
import { expectErrorCode, gql } from './helpers/graphqlClient.js';
import {
  billedCost,
  ledgerRow,
  spentOf,
  startRunsApp,
  requestSender,
  sendRunOneThenSweep,
  type RunsApp,
} from './helpers/ledgerRows.js';
import { toAtto } from './helpers/money.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy.js';

const DESCRIBE = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id status text costUsd } }';

/**
 * PostgreSQL stops answering while a model call is under way (the fault that lost five billed
 * answers): the answer must reach the client and the ledger. PostgreSQL only: PGlite runs in
 * the process and has no connection to lose.
 */
describe.each([
  ['the database is back within COMPLETION_RETRY_MS: the retried write lands', 30_000, 1_500, 'refuse'],
  ['the database stays away longer: the journal keeps the answer and the next sweep writes it', 1_000, 4_000, 'refuse'],
  // Nothing is reset: the write, sent on an idle connection of the pool (no sweep takes them
  // meanwhile), ends only by the driver's own read timeout.
  ['the database freezes and thaws within COMPLETION_RETRY_MS: the retried write lands', 30_000, 3_000, 'freeze'],
] as const)('completion during a database outage, when %s', (_name, retryMs, outageMs, fault) => {
  let t: TestApp;
  let proxy: TcpProxy;
  let directUrl: string;
  beforeAll(async () => {
    const db = await createFreshPostgresDatabase();
    directUrl = db.url;
    proxy = await startTcpProxy(5432);
    t = await startTestApp('postgres', {
      database: {
        config: {
          kind: 'postgres',
          url: db.url.replace(':5432/', `:${proxy.port}/`),
          poolSize: 2,
          connectTimeoutMs: 300,
          statementTimeoutMs: 1_000,
        },
        cleanup: () => db.drop(),
      },
      config: {
        completion: { retryMs, journalDir: `/tmp/bvg-journal-${process.pid}-${retryMs}-${fault}` },
        recovery: { leaseTtlMs: 60_000, sweepIntervalMs: fault === 'freeze' ? 600_000 : 500 },
      },
    });
  });
  afterAll(async () => {
    await proxy?.restore();
    await t?.stop();
    await proxy?.close();
  });
  beforeEach(() => {
    t.emulator.clearFaults();
    t.emulator.resetCalls();
  });

  async function row(id: string) {
    const client = new pg.Client({ connectionString: directUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT status, text, "costUsd"::text AS cost FROM description_request WHERE id = $1',
        [id],
      );
      return rows[0] as { status: string; text: string | null; cost: string | null };
    } finally {
      await client.end();
    }
  }

  it(
    'answers the client with its description and records the billed answer once the database is back',
    { timeout: 60_000 },
    async () => {
      t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      const answer = gql(t.url, DESCRIBE, { input: { image: { base64: toBase64(await solidImage(16, 16)) } } });
      // The PENDING row is written; the database goes away while the model answers.
      await new Promise((resolve) => setTimeout(resolve, 800));
      if (fault === 'freeze') proxy.freeze();
      else await proxy.refuse();
      setTimeout(() => void proxy.restore(), 1_500 + outageMs);
      const res = await answer;
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const described = res.data!.describeImage as { id: string; status: string; text: string; costUsd: string };
      expect(described.status).toBe('SUCCEEDED');
      expect(t.emulator.calls).toHaveLength(1);
      // Written by the retry, or by the sweep that replays the journal: either way, what the client was told.
      let stored = await row(described.id);
      for (let i = 0; i < 50 && stored.status === 'PENDING'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        stored = await row(described.id);
      }
      expect(stored).toEqual({ status: 'SUCCEEDED', text: described.text, cost: expect.any(String) });
      expect(Number(stored.cost)).toBe(Number(described.costUsd));
    },
  );
});

describe('completion during a database outage, when the journal cannot keep the answer either', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const db = await createFreshPostgresDatabase();
    proxy = await startTcpProxy(5432);
    t = await startTestApp('postgres', {
      database: {
        config: {
          kind: 'postgres',
          url: db.url.replace(':5432/', `:${proxy.port}/`),
          poolSize: 2,
          connectTimeoutMs: 300,
          statementTimeoutMs: 1_000,
        },
        cleanup: () => db.drop(),
      },
      // A folder that can never be made: /dev/null is not a directory. Sweeps often, to replay what is held.
      config: {
        completion: { retryMs: 500, journalDir: '/dev/null/journal' },
        recovery: { leaseTtlMs: 30_000, sweepIntervalMs: 500 },
      },
    });
  });
  afterAll(async () => {
    await proxy?.restore();
    await t?.stop();
    await proxy?.close();
  });

  it(
    'answers SERVICE_UNAVAILABLE with the row id, and completes the row once the database is back, for a retry to replay',
    { timeout: 60_000 },
    async () => {
      t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      const input = { image: { base64: toBase64(await solidImage(16, 16)) }, clientRequestId: 'kept-in-memory' };
      const answer = gql(t.url, DESCRIBE, { input });
      await new Promise((resolve) => setTimeout(resolve, 800));
      await proxy.refuse();
      const res = await answer;
      await proxy.restore();
      expect(res.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      const id = res.errors?.[0]?.extensions?.descriptionId;
      expect(id).toEqual(expect.any(String));

      // The answer was held in memory; the next sweep writes it: the row does not stay PENDING.
      const statusOf = async () =>
        (await gql<{ description: { status: string } }>(t.url, `{ description(id: "${id}") { status } }`)).data
          ?.description.status;
      const deadline = Date.now() + 20_000;
      while ((await statusOf()) !== 'SUCCEEDED' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await statusOf()).toBe('SUCCEEDED');
      // The client's retry gets the billed answer, without a second call.
      const calls = t.emulator.calls.length;
      const retry = await gql<{ describeImage: { id: string; status: string } }>(t.url, DESCRIBE, { input });
      expect(retry.data?.describeImage).toMatchObject({ id, status: 'SUCCEEDED' });
      expect(t.emulator.calls).toHaveLength(calls);
    },
  );
});

/**
 * A process cut off from the database long enough for its lease to lapse: another instance's sweep closes its row
 * INTERRUPTED (usage unknown, reservation released) while the model is still answering. The billed answer, when it
 * arrives, is the truth about that row: it must still be written, not refused because the row left PENDING.
 */
describe('completion after a sweep closed the row of a lapsed lease', () => {
  let t: TestApp;
  let direct: pg.Client;
  beforeAll(async () => {
    const db = await createFreshPostgresDatabase();
    direct = new pg.Client({ connectionString: db.url });
    await direct.connect();
    t = await startTestApp('postgres', {
      database: {
        config: { kind: 'postgres', url: db.url, poolSize: 4, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000 },
        cleanup: () => db.drop(),
      },
      // Renewals far apart, so the lease the test expires stays expired for the whole call.
      config: { recovery: { leaseTtlMs: 600_000, sweepIntervalMs: 600_000 } },
    });
  });
  afterAll(async () => {
    await direct?.end();
    await t?.stop();
  });

  it(
    'writes the billed answer over the INTERRUPTED row and tells the client SUCCEEDED',
    { timeout: 60_000 },
    async () => {
      t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
      const answer = gql(t.url, DESCRIBE, { input: { image: { base64: toBase64(await solidImage(16, 16)) } } });
      for (let i = 0; i < 50; i++) {
        const { rows } = await direct.query(`SELECT 1 FROM description_request WHERE status = 'PENDING'`);
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await direct.query(`UPDATE instance SET "leaseUntil" = now() - interval '1 minute'`);
      expect(await t.app.store.descriptions.closeOrphaned('INTERRUPTED', 'swept', new Date(0))).toBe(1);

      const res = await answer;
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const described = res.data!.describeImage as { id: string; status: string; text: string; costUsd: string };
      expect(described.status).toBe('SUCCEEDED');
      const { rows } = await direct.query(
        `SELECT status, text, "costUsd"::text AS cost, "usageKnown" FROM description_request WHERE id = $1`,
        [described.id],
      );
      expect(rows).toEqual([{ status: 'SUCCEEDED', text: described.text, cost: expect.any(String), usageKnown: true }]);
      expect(Number(rows[0].cost)).toBe(Number(described.costUsd));
    },
  );
});

/**
 * The same lapsed lease, and then the client sends the request again (same clientRequestId): the retry reopens the
 * INTERRUPTED row as run 2 and calls the model while run 1's answer is still on its way. Run 1's answer must neither
 * overwrite run 2 nor break it, and what Bedrock billed for it must stay on the row and in the key's spend.
 */
describe('a retry that overtakes a run whose lease lapsed', () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
  });
  afterAll(() => runs?.stop());

  const runOneThenSweep = (clientRequestId: string) => sendRunOneThenSweep(runs, clientRequestId);
  const ledger = (clientRequestId: string) => ledgerRow(runs.direct, clientRequestId);
  const spent = () => spentOf(runs.direct, runs.key);

  it(
    'when run 1 answers after the retry finished: the row keeps run 2 and adds run 1 to its cost and the spend',
    { timeout: 60_000 },
    async () => {
      const { t } = runs;
      const spentBefore = await spent();
      t.emulator.injectFault({ kind: 'slow', delayMs: 2_500 });
      const { first, send } = await runOneThenSweep('overtaken-after');
      const retried = await send();
      expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
      const described = retried.data!.describeImage as { id: string; status: string; costUsd: string };
      expect(described.status).toBe('SUCCEEDED');

      const late = await first;
      expect(expectErrorCode(late, 'REQUEST_IN_PROGRESS').descriptionId).toBe(described.id);
      const row = await ledger('overtaken-after');
      expect(row).toMatchObject({ status: 'SUCCEEDED', run: 2, usageKnown: true });
      expect(row.attempts.map((a) => a.billed)).toEqual([true, true]);
      expect(toAtto(row.cost!)).toBe(billedCost(row));
      expect(toAtto(await spent()) - toAtto(spentBefore)).toBe(toAtto(row.cost!));
    },
  );

  it(
    'when run 1 answers while the retry still runs: run 1 is added to the row and run 2 completes it, counting both',
    { timeout: 60_000 },
    async () => {
      const { t } = runs;
      const spentBefore = await spent();
      t.emulator.injectFault({ kind: 'slow', delayMs: 2_000 });
      t.emulator.injectFault({ kind: 'slow', delayMs: 4_000 });
      const { first, send } = await runOneThenSweep('overtaken-during');
      const retried = send();

      const late = await first;
      const row = await ledger('overtaken-during');
      expect(expectErrorCode(late, 'REQUEST_IN_PROGRESS').descriptionId).toBe(row.id);
      expect(row).toMatchObject({ status: 'PENDING', run: 2 });
      expect(row.attempts.map((a) => a.billed)).toEqual([true]);

      const res = await retried;
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const described = res.data!.describeImage as { id: string; status: string; costUsd: string };
      const done = await ledger('overtaken-during');
      expect(done).toMatchObject({ status: 'SUCCEEDED', run: 2, usageKnown: true });
      expect(done.attempts.map((a) => a.billed)).toEqual([true, true]);
      expect(toAtto(done.cost!)).toBe(billedCost(done));
      expect(toAtto(described.costUsd)).toBe(toAtto(done.cost!));
      expect(toAtto(await spent()) - toAtto(spentBefore)).toBe(toAtto(done.cost!));
    },
  );
});

/**
 * The answer's write fails for a reason of its own (not an outage): here a column only that
 * statement writes is renamed under the running server. The row's owner is alive, so no sweep
 * would ever close it: the request must close it FAILED itself, keeping the billed attempt,
 * instead of leaving it PENDING. The streaming path already did; the plain mutation did not.
 */
describe('a completion write that fails for a reason of its own', () => {
  let runs: RunsApp;
  beforeAll(async () => {
    runs = await startRunsApp();
    await runs.direct.query('ALTER TABLE "description_request" RENAME COLUMN "stopReason" TO "stopReason_renamed"');
  });
  afterAll(async () => {
    await runs?.direct.query('ALTER TABLE "description_request" RENAME COLUMN "stopReason_renamed" TO "stopReason"');
    await runs?.stop();
  });

  it('closes the row FAILED with the billed attempt and tells the client its id', { timeout: 60_000 }, async () => {
    const spentBefore = await spentOf(runs.direct, runs.key);
    const send = await requestSender(runs, 'own-write-fails');
    const res = await send();
    const error = expectErrorCode(res, 'INTERNAL_SERVER_ERROR');
    const row = await ledgerRow(runs.direct, 'own-write-fails');
    expect(error.descriptionId).toBe(row.id);
    expect(row).toMatchObject({ status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', usageKnown: true });
    expect(row.attempts.map((a) => a.billed)).toEqual([true]);
    expect(toAtto(row.cost!)).toBe(billedCost(row));
    expect(toAtto(await spentOf(runs.direct, runs.key)) - toAtto(spentBefore)).toBe(toAtto(row.cost!));
  });
});
