import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { readLedgerFromExport, readLedgerFromSql, type LedgerRow } from '../../bench/invariants/readLedger.js';
import type { Fault } from '../../src/emulator/index.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import { createFaultHarness, type FaultHarness } from './faultHarness.js';

/**
 * Every way Bedrock (or the network in front of it) can fail one call, in one server's lifetime, with the ledger's
 * invariants checked after each: the row is written before the call, closed after it, billed at most once, and
 * costed exactly as the emulator billed it, or marked unknown when the answer's usage was lost on the way.
 */
const FAULTS: readonly (readonly [name: string, faults: readonly Fault[], via: 'http' | 'stream'])[] = [
  ['a throttle the SDK retries', [{ kind: 'throttle' }], 'http'],
  ['throttles on every attempt', [{ kind: 'throttle', times: 3 }], 'http'],
  ['a server error the SDK retries', [{ kind: 'server-error' }], 'http'],
  ['server errors on every attempt', [{ kind: 'server-error', times: 3 }], 'http'],
  ['a hang past the request timeout', [{ kind: 'hang' }], 'http'],
  ['a reset before the answer', [{ kind: 'reset-before-answer' }], 'http'],
  ['a reset in the middle of the body', [{ kind: 'reset-mid-body' }], 'http'],
  ['a truncated body', [{ kind: 'truncated-body' }], 'http'],
  ['an answer without usage', [{ kind: 'no-usage' }], 'http'],
  ['a slow answer', [{ kind: 'slow', delayMs: 500 }], 'http'],
  ['a stream reset after two deltas', [{ kind: 'reset-mid-body', afterChunks: 2 }], 'stream'],
  ['a stream without usage', [{ kind: 'no-usage' }], 'stream'],
  ['a stream that falls silent', [{ kind: 'hang', afterChunks: 1 }], 'stream'],
];

const SERVER_ENV = {
  // A hang ends in UPSTREAM_TIMEOUT within the test's time.
  BEDROCK_REQUEST_TIMEOUT_MS: '1500',
  INSTANCE_LEASE_MS: '2000',
  RECOVERY_INTERVAL_MS: '500',
};

describe.each(['postgres', 'pglite'] as const)('emulator faults on %s', { timeout: 60_000 }, (kind) => {
  let harness: FaultHarness;
  let origin: string;
  let rows: () => Promise<LedgerRow[]>;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    harness = await createFaultHarness();
    let databaseUrl: string;
    if (kind === 'postgres') {
      const database = await createFreshPostgresDatabase();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      cleanups.push(
        () => database.drop(),
        () => client.end(),
      );
      databaseUrl = database.url;
      rows = () => readLedgerFromSql(client);
    } else {
      const folder = mkdtempSync(join(tmpdir(), 'bvg-faults-pglite-'));
      cleanups.push(async () => rmSync(folder, { recursive: true, force: true }));
      databaseUrl = `file:${folder}`;
      rows = () => readLedgerFromExport(origin);
    }
    origin = await harness.spawn({ DATABASE_URL: databaseUrl, ...SERVER_ENV }).ready();
  });
  afterAll(async () => {
    await harness?.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.each(FAULTS)('keeps the invariants after %s', async (_name, faults, via) => {
    const request = harness.newRequest();
    for (const fault of faults) harness.emulator.injectFault(fault);
    await (via === 'http' ? harness.describe(origin, request) : harness.stream(origin, request));
    harness.emulator.clearFaults();
    await harness.expectInvariants(rows, [request]);
  });

  it('keeps the invariants when a duplicate arrives while the first is still running', async () => {
    harness.emulator.injectFault({ kind: 'slow', delayMs: 800 });
    const request = harness.newRequest();
    await Promise.all([harness.describe(origin, request), harness.describe(origin, request)]);
    await harness.describe(origin, request);
    await harness.expectInvariants(rows, [request]);
  });

  it('keeps the invariants over the whole ledger', async () => {
    await harness.expectInvariants(rows);
  });
});
