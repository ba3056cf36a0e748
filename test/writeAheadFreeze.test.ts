import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecovery } from '../src/housekeeping/index.js';
import type { FailedDescription } from '../src/store/index.js';
import { createTestKey } from './helpers/apiKeys.js';
import { createFreshPostgresDatabase } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { ledgerRow, requestSender, spentOf, waitForRow, type RunsApp } from './helpers/ledgerRows.js';
import { toAtto } from './helpers/money.js';
import { startTestApp } from './helpers/startTestApp.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy.js';

/**
 * PostgreSQL freezes (SIGSTOP, a hung host) with the write-ahead INSERT already sent: the driver's
 * read timeout ends it and the client is told SERVICE_UNAVAILABLE, but the statement sits in the
 * server's socket buffer and commits when the server thaws, as a PENDING row of this live instance
 * with its budget reserved. No sweep closed such a row (its owner's lease is live); the sweep must
 * now close it, release the reservation and let the request be sent again; a retry's reopen the same,
 * and never a run a later retry started. PostgreSQL only: PGlite runs in the process and has nothing
 * to freeze.
 */
describe('a write-ahead or reopen the database did not answer', () => {
  let proxy: TcpProxy;
  let runs: RunsApp;

  beforeAll(async () => {
    const db = await createFreshPostgresDatabase();
    const direct = new pg.Client({ connectionString: db.url });
    await direct.connect();
    proxy = await startTcpProxy(5432);
    const t = await startTestApp('postgres', {
      database: {
        config: {
          kind: 'postgres',
          url: db.url.replace(':5432/', `:${proxy.port}/`),
          poolSize: 4,
          connectTimeoutMs: 300,
          // The driver's read timeout is this plus 1 s: a frozen statement ends after 2 s.
          statementTimeoutMs: 1_000,
        },
        cleanup: () => db.drop(),
      },
      config: {
        // Renewals and sweeps far apart: only the test sweeps, and nothing else uses the pool meanwhile.
        recovery: { leaseTtlMs: 600_000, sweepIntervalMs: 600_000 },
        // The key is read once, so the frozen request's first statement is its write-ahead.
        auth: { keyCacheTtlMs: 600_000, redisUrl: undefined },
        idempotencyWaitMs: 0,
      },
    });
    const key = await createTestKey(t.app.store, { dailyUsd: '100' });
    runs = {
      t,
      direct,
      key,
      async stop() {
        await direct.end();
        await t.stop();
      },
    };
  });
  afterAll(async () => {
    await proxy?.restore();
    await runs?.stop();
    await proxy?.close();
  });

  /** One recovery sweep as the server runs it, with what it logged at warn and above. */
  async function sweep(): Promise<Record<string, unknown>[]> {
    const { store } = runs.t.app;
    const logged: Record<string, unknown>[] = [];
    const recovery = startRecovery({
      descriptions: store.descriptions,
      lease: store.lease!,
      leaseTtlMs: 600_000,
      sweepIntervalMs: 600_000,
      legacyAfterMs: 600_000,
      replayCompletions: () => store.replayCompletions(),
      logger: pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) }),
    });
    try {
      await recovery.sweep();
    } finally {
      recovery.stop();
    }
    return logged;
  }

  it(
    'is closed FAILED SERVICE_UNAVAILABLE by the next sweep, its reservation released, and runs again when sent again',
    { timeout: 60_000 },
    async () => {
      const { t, direct, key } = runs;
      // A first request caches the key and leaves idle connections in the pool, open through the proxy.
      expectData(await (await requestSender(runs, 'warm-up'))());
      const spentBefore = toAtto(await spentOf(direct, key));
      t.emulator.resetCalls();

      const send = await requestSender(runs, 'frozen');
      proxy.freeze();
      expectErrorCode(await send(), 'SERVICE_UNAVAILABLE');
      const { rows: whileFrozen } = await direct.query(
        `SELECT 1 FROM description_request WHERE "clientRequestId" = 'frozen'`,
      );
      expect(whileFrozen).toHaveLength(0);

      // The thaw: what the frozen connection still holds reaches PostgreSQL, which commits it.
      await proxy.restore();
      await waitForRow(direct, 'frozen');
      expect(await ledgerRow(direct, 'frozen')).toMatchObject({ status: 'PENDING', run: 1 });
      expect(toAtto(await spentOf(direct, key))).toBeGreaterThan(spentBefore);
      // Owned by a live instance: until a sweep closes it, the same request is still "in progress".
      expectErrorCode(await send(), 'REQUEST_IN_PROGRESS');

      const logged = await sweep();
      expect(await ledgerRow(direct, 'frozen')).toMatchObject({
        status: 'FAILED',
        errorCode: 'SERVICE_UNAVAILABLE',
        run: 1,
        cost: null,
        usageKnown: true,
      });
      expect(logged).toContainEqual(expect.objectContaining({ level: 40, unanswered: 1 }));
      expect(t.emulator.calls).toHaveLength(0);
      expect(toAtto(await spentOf(direct, key))).toBe(spentBefore);

      const again = expectData(await send()) as { describeImage: { status: string } };
      expect(again.describeImage.status).toBe('SUCCEEDED');
      expect(await ledgerRow(direct, 'frozen')).toMatchObject({ status: 'SUCCEEDED', run: 2 });
      expect(t.emulator.calls).toHaveLength(1);
    },
  );

  it('closes a reopen committed after the thaw as the run it started, and the request runs again', async () => {
    const { t, direct, key } = runs;
    // A retryable failure to reopen (the SDK's three attempts all throttled); it leaves idle connections in the pool.
    t.emulator.injectFault({ kind: 'throttle', times: 3 });
    const send = await requestSender(runs, 'reopened-frozen');
    expectErrorCode(await send(), 'UPSTREAM_THROTTLED');
    t.emulator.clearFaults();
    t.emulator.resetCalls();
    const spentBefore = toAtto(await spentOf(direct, key));
    const failed = await t.app.store.descriptions.findByClientRequestId(key.record.id, 'reopened-frozen');
    expect(failed).toMatchObject({ status: 'FAILED', run: 1 });

    // The retry's reopen is what the frozen connection holds (the store's door: the use case reads first).
    proxy.freeze();
    await expect(t.app.store.descriptions.reopen(failed as FailedDescription)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    await proxy.restore();
    await waitForRow(direct, 'reopened-frozen', `status = 'PENDING'`);
    expect(await ledgerRow(direct, 'reopened-frozen')).toMatchObject({ status: 'PENDING', run: 2 });

    await sweep();
    expect(await ledgerRow(direct, 'reopened-frozen')).toMatchObject({
      status: 'FAILED',
      errorCode: 'SERVICE_UNAVAILABLE',
      run: 2,
      cost: null,
    });
    expect(toAtto(await spentOf(direct, key))).toBe(spentBefore);

    const again = expectData(await send()) as { describeImage: { status: string } };
    expect(again.describeImage.status).toBe('SUCCEEDED');
    expect(await ledgerRow(direct, 'reopened-frozen')).toMatchObject({ status: 'SUCCEEDED', run: 3 });
    expect(t.emulator.calls).toHaveLength(1);
  });

  it('never closes the run a retry started after a reopen that never reached the database', async () => {
    const { t, direct, key } = runs;
    t.emulator.injectFault({ kind: 'throttle', times: 3 });
    const send = await requestSender(runs, 'reopen-refused');
    expectErrorCode(await send(), 'UPSTREAM_THROTTLED');
    t.emulator.clearFaults();
    const failed = await t.app.store.descriptions.findByClientRequestId(key.record.id, 'reopen-refused');

    // Refused, so the reopen was never sent; the client cannot tell, and neither can the store.
    await proxy.refuse();
    await expect(t.app.store.descriptions.reopen(failed as FailedDescription)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    await proxy.restore();
    expect(await ledgerRow(direct, 'reopen-refused')).toMatchObject({ status: 'FAILED', run: 1 });

    // The retry reopens the row as the very run the unanswered reopen would have started: a live call.
    t.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
    const answer = send();
    await waitForRow(direct, 'reopen-refused', `status = 'PENDING'`);
    await sweep();
    expect(await ledgerRow(direct, 'reopen-refused')).toMatchObject({ status: 'PENDING', run: 2 });
    const described = expectData(await answer) as { describeImage: { status: string } };
    expect(described.describeImage.status).toBe('SUCCEEDED');
    expect(await ledgerRow(direct, 'reopen-refused')).toMatchObject({ status: 'SUCCEEDED', run: 2 });
  });
});
