import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { freshDatabase, startTestApp, type TestApp } from './helpers/startTestApp.js';
import { gql } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { spawnServer, type ServerProcess } from './helpers/spawnServer.js';

const DESCRIBE = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id status } }';
const LEASE = { INSTANCE_LEASE_MS: '2000', RECOVERY_INTERVAL_MS: '500' };

async function rowsByStatus(t: TestApp) {
  const buckets = await t.app.store.history.usageSummary({}, ['STATUS'], 'UTC');
  return Object.fromEntries(buckets.map((b) => [b.status, b.requests]));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each(['postgres', 'pglite-folder'] as const)('recovery after kill -9 on %s', (kind) => {
  let emulator: Emulator;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: ServerProcess[] = [];
  let survivor: TestApp | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    for (const server of servers) server.kill();
    await survivor?.stop();
    await emulator?.close();
  });

  it(
    'closes the rows of a killed process as INTERRUPTED within seconds, and never a live instance’s long call',
    { timeout: 240_000 },
    async () => {
      const url =
        database.config.kind === 'postgres'
          ? database.config.url
          : `file:${(database.config as { dataDir: string }).dataDir}`;
      const doomed = spawnServer({ DATABASE_URL: url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, ...LEASE });
      servers.push(doomed);
      const origin = await doomed.ready();
      const image = toBase64(await solidImage(16, 16));
      emulator.injectFault({ kind: 'hang', times: 5 });
      const inFlight = Array.from({ length: 5 }, () =>
        gql(`${origin}/graphql`, DESCRIBE, { input: { image: { base64: image } } }).catch(() => undefined),
      );
      await until(
        async () => emulator.calls.length,
        (n) => n >= 5,
        30_000,
      );
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      await Promise.all(inFlight);

      // PGlite has one writer: the restarted server is the one to recover. PostgreSQL: a sibling that was never
      // stopped does it. Either way it runs a long call of its own meanwhile, which must survive the sweeps.
      survivor = await startTestApp(kind === 'postgres' ? 'postgres' : 'pglite-folder', {
        database,
        emulator,
        config: { recovery: { leaseTtlMs: 2_000, sweepIntervalMs: 500 } },
        bedrock: { requestTimeoutMs: 20_000 },
      });
      emulator.clearFaults();
      emulator.injectFault({ kind: 'slow', delayMs: 6_000 });
      const longCall = gql(survivor.url, DESCRIBE, { input: { image: { base64: image } } });
      const started = Date.now();
      const statuses = await until(
        () => rowsByStatus(survivor!),
        (s) => (s.FAILED ?? 0) === 5,
        60_000,
      );
      expect(statuses.FAILED).toBe(5);
      expect(Date.now() - started).toBeLessThan(60_000);
      const interrupted = await survivor.app.store.history.countHistory({ errorCode: 'INTERRUPTED' });
      expect(interrupted).toBe(5);
      const long = await longCall;
      expect(long.errors, JSON.stringify(long.errors)).toBeUndefined();
      expect(long.data?.describeImage.status).toBe('SUCCEEDED');
      expect(await rowsByStatus(survivor)).toEqual({ FAILED: 5, SUCCEEDED: 1 });
    },
  );
});
