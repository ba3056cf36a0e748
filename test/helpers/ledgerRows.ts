import pg from 'pg';
import { expect } from 'vitest';
import type { AppConfig } from '../../src/config.js';
import { createTestKey, type TestKey } from './apiKeys.js';
import { createFreshPostgresDatabase } from './databases.js';
import { gql, type GraphQLResponse } from './graphqlClient.js';
import { solidImage, toBase64 } from './images.js';
import { toAtto } from './money.js';
import { startTestApp, type TestApp } from './startTestApp.js';

/** What the tests about runs and spend read of a row, straight from PostgreSQL. */
export interface LedgerRow {
  id: string;
  status: string;
  errorCode: string | null;
  run: number;
  attempts: { billed: boolean | null; costUsd: string | null; outcome: string; run?: number }[];
  cost: string | null;
  usageKnown: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The one row of a clientRequestId. */
export async function ledgerRow(direct: pg.Client, clientRequestId: string): Promise<LedgerRow> {
  const { rows } = await direct.query(
    `SELECT id, status, "errorCode", run, attempts, "costUsd"::text AS cost, "usageKnown" FROM description_request
     WHERE "clientRequestId" = $1`,
    [clientRequestId],
  );
  expect(rows).toHaveLength(1);
  return rows[0] as LedgerRow;
}

/** Waits (up to 5 s) for the row of a clientRequestId to exist and satisfy the SQL condition `where`. */
export async function waitForRow(direct: pg.Client, clientRequestId: string, where = 'TRUE'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await direct.query(`SELECT 1 FROM description_request WHERE "clientRequestId" = $1 AND ${where}`, [
      clientRequestId,
    ]);
    if (rows.length > 0) return;
    await sleep(25);
  }
  throw new Error(`no row for ${clientRequestId} where ${where}`);
}

/** The key's spend today, as stored. */
export const spentOf = async (direct: pg.Client, key: TestKey): Promise<string> =>
  (await direct.query(`SELECT "daySpentUsd"::text AS spent FROM api_key WHERE id = $1`, [key.record.id])).rows[0]
    .spent as string;

/** What the row's billed attempts cost, in atto-dollars. */
export const billedCost = (row: LedgerRow): bigint =>
  row.attempts.filter((a) => a.billed).reduce((sum, a) => sum + toAtto(a.costUsd ?? '0'), 0n);

/**
 * What a sibling's sweep does to a process cut off past its lease: every lease lapses, and the
 * app's open row is closed INTERRUPTED (the app's own store runs the sweep's statement).
 */
export async function lapseAndSweep(direct: pg.Client, t: TestApp): Promise<void> {
  await direct.query(`UPDATE instance SET "leaseUntil" = now() - interval '1 minute'`);
  expect(await t.app.store.descriptions.closeOrphaned('INTERRUPTED', 'swept', new Date(0))).toBe(1);
}

/** An app with a keyed client and a direct connection to its database: the setting of the tests about runs and spend. */
export interface RunsApp {
  readonly t: TestApp;
  readonly direct: pg.Client;
  /** A key with a daily budget, so every completion settles a reservation. */
  readonly key: TestKey;
  stop(): Promise<void>;
}

/**
 * Starts it on a fresh PostgreSQL database: reached through `viaPort` (a TCP proxy the test can
 * cut) when given. Lease renewals and sweeps are far apart, so a lease the test lapses stays
 * lapsed and nothing sweeps or replays but the test; delayed answers arrive rather than time out.
 */
export async function startRunsApp(
  options: { viaPort?: number; completion?: AppConfig['completion'] } = {},
): Promise<RunsApp> {
  const db = await createFreshPostgresDatabase();
  const direct = new pg.Client({ connectionString: db.url });
  await direct.connect();
  const t = await startTestApp('postgres', {
    database: {
      config: {
        kind: 'postgres',
        url: options.viaPort === undefined ? db.url : db.url.replace(':5432/', `:${options.viaPort}/`),
        poolSize: 4,
        // Short through a proxy, so a cut database is seen at once.
        connectTimeoutMs: options.viaPort === undefined ? 5_000 : 300,
        statementTimeoutMs: 5_000,
      },
      cleanup: () => db.drop(),
    },
    bedrock: { requestTimeoutMs: 10_000 },
    config: {
      recovery: { leaseTtlMs: 600_000, sweepIntervalMs: 600_000 },
      ...(options.completion === undefined ? {} : { completion: options.completion }),
    },
  });
  const key = await createTestKey(t.app.store, { dailyUsd: '100' });
  return {
    t,
    direct,
    key,
    async stop() {
      await direct.end();
      await t.stop();
    },
  };
}

const DESCRIBE = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id status text costUsd } }';

/** Sends the request `clientRequestId` names (a small image, under the runs app's key) each time it is called. */
export async function requestSender(runs: RunsApp, clientRequestId: string): Promise<() => Promise<GraphQLResponse>> {
  const input = { image: { base64: toBase64(await solidImage(16, 16)) }, clientRequestId };
  return () => gql(runs.t.url, DESCRIBE, { input }, runs.key.auth);
}

/**
 * Sends run 1 of `clientRequestId` (the test has delayed its answer), waits for its PENDING row,
 * lets the lease lapse and sweeps the row: a run a retry can now overtake. Returns run 1's
 * answer to come and the sender, to send the request again.
 */
export async function sendRunOneThenSweep(runs: RunsApp, clientRequestId: string) {
  const send = await requestSender(runs, clientRequestId);
  const first = send();
  await waitForRow(runs.direct, clientRequestId);
  await lapseAndSweep(runs.direct, runs.t);
  return { first, send };
}
