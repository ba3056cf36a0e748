import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedgerFromExport, readLedgerFromSql, type LedgerRow } from '../../bench/invariants/readLedger.js';
import { tokenIn } from '../../bench/invariants/requestToken.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import type { ServerProcess } from '../helpers/spawnServer.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import type { ClientAnswer } from '../../bench/invariants/clientLog.js';
import { createFaultHarness, eventually, type FaultHarness, type FaultRequest } from './faultHarness.js';

/** Leases short enough that a dead process's rows are closed within seconds (the brief's 60 s, scaled down). */
const LEASE = { INSTANCE_LEASE_MS: '2000', RECOVERY_INTERVAL_MS: '500' };

/**
 * Resolves once `arrived` holds; fails at once, with what the client was told, if every answer comes first (a
 * request refused, or finished, before the fault could catch it in flight).
 */
async function whileInFlight(arrived: Promise<unknown>, answers: readonly Promise<ClientAnswer>[]): Promise<void> {
  const settled = Promise.all(answers).then((all) => {
    throw new Error(`every request was answered before the fault: ${JSON.stringify(all)}`);
  });
  settled.catch(() => {});
  await Promise.race([arrived, settled]);
}

/** The emulator has received a call for each request; under a `hang` fault, each call is then in flight. */
function callsReceived(harness: FaultHarness, requests: readonly FaultRequest[]) {
  const tokens = new Set(requests.map((r) => r.token));
  return eventually(
    () => harness.emulator.calls.filter((call) => tokens.has(tokenIn(call.rawBody) ?? '')).length,
    (n) => n >= tokens.size,
  );
}

/** Each request's row is written and still PENDING: its model call is about to start or under way. */
function rowsPending(rows: () => Promise<LedgerRow[]>, requests: readonly FaultRequest[]) {
  return eventually(rows, (all) =>
    requests.every((r) => all.some((row) => tokenIn(row.prompt) === r.token && row.status === 'PENDING')),
  );
}

/** A drained request is answered with its description, not an error naming its row. */
const described = (answer: ClientAnswer) => (answer.kind !== 'row' ? answer.kind : (answer.code ?? 'SUCCEEDED'));

const succeeded = (rows: readonly LedgerRow[], requests: readonly FaultRequest[]) =>
  requests.every((r) => rows.some((row) => tokenIn(row.prompt) === r.token && row.status === 'SUCCEEDED'));

const closed = (rows: readonly LedgerRow[], requests: readonly FaultRequest[]) =>
  requests.every((r) => rows.some((row) => tokenIn(row.prompt) === r.token && row.status !== 'PENDING'));

/**
 * Processes that die, stop, lose their database or race each other, on PostgreSQL: server A reaches the database
 * through a proxy that can take it away, server B directly. The ledger's invariants are checked after each fault.
 */
describe('process and database faults on postgres', { timeout: 60_000 }, () => {
  let harness: FaultHarness;
  let proxy: TcpProxy;
  let db: pg.Client;
  let a: ServerProcess;
  let b: ServerProcess;
  let originA: string;
  let originB: string;
  const cleanups: (() => Promise<void>)[] = [];
  const rows = () => readLedgerFromSql(db);

  beforeAll(async () => {
    harness = await createFaultHarness();
    const database = await createFreshPostgresDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    proxy = await startTcpProxy(5432);
    cleanups.push(
      () => database.drop(),
      () => db.end(),
      () => proxy.close(),
    );
    b = harness.spawn({ DATABASE_URL: database.url, ...LEASE });
    originB = await b.ready();
    a = harness.spawn({
      DATABASE_URL: database.url.replace(':5432/', `:${proxy.port}/`),
      DATABASE_CONNECT_TIMEOUT_MS: '500',
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      COMPLETION_RETRY_MS: '2000',
      ...LEASE,
    });
    originA = await a.ready();
  });
  afterAll(async () => {
    await harness?.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('bills one clientRequestId once when duplicates race on two processes', async () => {
    harness.emulator.injectFault({ kind: 'slow', delayMs: 1_000 });
    const request = harness.newRequest();
    await Promise.all([
      harness.describe(originA, request),
      harness.describe(originB, request),
      harness.describe(originB, request),
    ]);
    await harness.expectInvariants(rows, [request]);
  });

  it('keeps the answer when PostgreSQL is unreachable mid-call, briefly or past COMPLETION_RETRY_MS', async () => {
    const requests: FaultRequest[] = [];
    const told: string[] = [];
    for (const outageMs of [1_200, 4_000]) {
      harness.emulator.injectFault({ kind: 'slow', delayMs: 1_000 });
      const request = harness.newRequest();
      requests.push(request);
      const answer = harness.describe(originA, request);
      await whileInFlight(rowsPending(rows, [request]), [answer]);
      await proxy.refuse();
      // A request that arrives meanwhile is refused before any row or call.
      const refused = harness.newRequest();
      requests.push(refused);
      told.push(described(await harness.describe(originA, refused)));
      await new Promise((resolve) => setTimeout(resolve, outageMs));
      await proxy.restore();
      told.unshift(described(await answer));
    }
    // Both billed answers reached their clients; both requests that came during the outage were refused.
    expect(told.sort()).toEqual(['SUCCEEDED', 'SUCCEEDED', 'refused', 'refused']);
    // The second answer outlived COMPLETION_RETRY_MS and A's lease: B may have closed its row INTERRUPTED meanwhile,
    // and A's journal, replayed at its next sweep, must put the billed answer back. Given time for that, the check
    // says what is wrong if it never happens.
    const answered = requests.filter((_, i) => i % 2 === 0);
    await eventually(rows, (all) => succeeded(all, answered), 10_000);
    await harness.expectInvariants(rows, requests);
  });

  it('closes the rows of a process killed with calls in flight, and only after they were committed', async () => {
    harness.emulator.injectFault({ kind: 'hang', times: 4 });
    const requests = [harness.newRequest(), harness.newRequest(), harness.newRequest(), harness.newRequest()];
    const answers = [
      ...requests.slice(0, 3).map((r) => harness.describe(originA, r)),
      harness.stream(originA, requests[3]),
    ];
    await whileInFlight(callsReceived(harness, requests), answers);
    // While the model is being called, each row is already visible to another connection: it was committed first.
    const visible = await rows();
    for (const request of requests) {
      expect(visible.some((row) => tokenIn(row.prompt) === request.token && row.status === 'PENDING')).toBe(true);
    }
    a.child.kill('SIGKILL');
    await a.exited;
    await Promise.all(answers);
    harness.emulator.clearFaults();
    // B, alive, closes them once A's lease has run out.
    await eventually(rows, (all) => closed(all, requests), 20_000);
    await harness.expectInvariants(rows, requests);
  });

  it('drains calls and streams in flight on SIGTERM, exits 0, and leaves every row closed', async () => {
    harness.emulator.injectFault({ kind: 'slow', delayMs: 1_000, times: 4 });
    const requests = [harness.newRequest(), harness.newRequest(), harness.newRequest(), harness.newRequest()];
    const answers = [
      ...requests.slice(0, 3).map((r) => harness.describe(originB, r)),
      harness.stream(originB, requests[3]),
    ];
    await whileInFlight(rowsPending(rows, requests), answers);
    b.child.kill('SIGTERM');
    const answered = await Promise.all(answers);
    expect((await b.exited).code).toBe(0);
    expect(answered.map(described)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    await harness.expectInvariants(rows, requests);
  });

  it('keeps the invariants over the whole ledger', async () => {
    await harness.expectInvariants(rows);
  });
});

/**
 * The faults that apply to PGlite: one process on one folder, so the restarted process is the one that recovers,
 * and a drain must close every row before the folder is let go.
 */
describe('process faults on pglite', { timeout: 60_000 }, () => {
  let harness: FaultHarness;
  let folder: string;
  let server: ServerProcess;
  let origin: string;

  beforeAll(async () => {
    harness = await createFaultHarness();
    folder = mkdtempSync(join(tmpdir(), 'bvg-faults-pglite-'));
    server = harness.spawn({ DATABASE_URL: `file:${folder}`, ...LEASE });
    origin = await server.ready();
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('closes the rows of a process killed with calls in flight once it restarts on the folder', async () => {
    harness.emulator.injectFault({ kind: 'hang', times: 3 });
    const requests = [harness.newRequest(), harness.newRequest(), harness.newRequest()];
    const answers = requests.map((r) => harness.describe(origin, r));
    await whileInFlight(callsReceived(harness, requests), answers);
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all(answers);
    harness.emulator.clearFaults();
    server = harness.spawn({ DATABASE_URL: `file:${folder}`, ...LEASE });
    origin = await server.ready();
    const rows = () => readLedgerFromExport(origin);
    await eventually(rows, (all) => closed(all, requests), 20_000);
    await harness.expectInvariants(rows, requests);
  });

  it('drains calls and streams in flight on SIGTERM, exits 0, and leaves the whole ledger consistent', async () => {
    harness.emulator.injectFault({ kind: 'slow', delayMs: 1_000, times: 3 });
    const requests = [harness.newRequest(), harness.newRequest(), harness.newRequest()];
    const answers = [
      ...requests.slice(0, 2).map((r) => harness.describe(origin, r)),
      harness.stream(origin, requests[2]),
    ];
    await whileInFlight(
      rowsPending(() => readLedgerFromExport(origin), requests),
      answers,
    );
    server.child.kill('SIGTERM');
    const answered = await Promise.all(answers);
    expect((await server.exited).code).toBe(0);
    expect(answered.map(described)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // The server has let the folder go: read it directly.
    const pglite = await PGlite.create(folder, { extensions: { pg_trgm } });
    try {
      await harness.expectInvariants(() => readLedgerFromSql(pglite), requests);
      await harness.expectInvariants(() => readLedgerFromSql(pglite));
    } finally {
      await pglite.close();
    }
  });
});
