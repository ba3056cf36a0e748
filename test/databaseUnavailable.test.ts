import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POSTGRES_POOL } from '../src/config.js';
import { createFreshPostgresDatabase, holdingLocks } from './helpers/databases.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { DESCRIBE } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy.js';

// PostgreSQL only: the embedded PGlite runs inside the process, with no network or pool to lose.
describe('a database that cannot be reached in time (PostgreSQL)', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let directUrl: string;
  let image: string;
  beforeAll(async () => {
    const db = await createFreshPostgresDatabase();
    directUrl = db.url;
    proxy = await startTcpProxy(5432);
    const url = db.url.replace(':5432/', `:${proxy.port}/`);
    t = await startTestApp('postgres', {
      database: {
        // One connection, short waits: what a busy pool or a lost server looks like, quickly.
        config: { kind: 'postgres', url, poolSize: 1, connectTimeoutMs: 300, statementTimeoutMs: 1_000 },
        cleanup: () => db.drop(),
      },
    });
    image = toBase64(await solidImage(16, 16, 'png'));
  });
  afterAll(async () => {
    await proxy?.restore();
    await t?.stop();
    await proxy?.close();
  });
  beforeEach(async () => {
    await proxy.restore();
    t.emulator.resetCalls();
  });

  async function rowCount(): Promise<number> {
    const client = new pg.Client({ connectionString: directUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM description_request');
      return rows[0]!.n;
    } finally {
      await client.end();
    }
  }

  function expectUnavailable(res: Awaited<ReturnType<TestApp['gql']>>) {
    expect(res.status, JSON.stringify(res)).toBe(503);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 2 });
  }

  it('answers SERVICE_UNAVAILABLE with Retry-After when the server refuses connections, and spends nothing', async () => {
    const before = await rowCount();
    await proxy.refuse();
    const res = await t.gql(DESCRIBE, { input: { image: { base64: image } } });
    expectUnavailable(res);
    const raw = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ history { totalCount } }' }),
    });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('2');
    expect((await fetch(t.url.replace('/graphql', '/export/history.ndjson'))).status).toBe(503);
    expect(t.emulator.calls).toHaveLength(0);
    await proxy.restore();
    expect(await rowCount()).toBe(before);
    // And it recovers by itself once the database is back.
    const back = await t.gql(DESCRIBE, { input: { image: { base64: image } } });
    expect(back.data?.describeImage?.status).toBe('SUCCEEDED');
  });

  it('answers SERVICE_UNAVAILABLE when a connection cannot be opened within the connect timeout', async () => {
    const before = await rowCount();
    await proxy.refuse();
    await proxy.restore();
    proxy.blackHole();
    expectUnavailable(await t.gql(DESCRIBE, { input: { image: { base64: image } } }));
    expect(t.emulator.calls).toHaveLength(0);
    await proxy.restore();
    expect(await rowCount()).toBe(before);
  });

  it('answers SERVICE_UNAVAILABLE when the pool has no free connection in time, or a statement times out', async () => {
    const before = await rowCount();
    const locker = new pg.Client({ connectionString: directUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE description_request IN ACCESS EXCLUSIVE MODE');
      // The first takes the only connection and waits on the lock until statement_timeout;
      // the second waits for that connection until the connect timeout.
      const first = t.gql(DESCRIBE, { input: { image: { base64: image } } });
      await new Promise((r) => setTimeout(r, 100));
      const second = t.gql(DESCRIBE, { input: { image: { base64: image }, prompt: 'Second?' } });
      expectUnavailable(await second);
      expectUnavailable(await first);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(t.emulator.calls).toHaveLength(0);
    expect(await rowCount()).toBe(before);
  });

  it('answers SERVICE_UNAVAILABLE when the server freezes during a statement Prisma runs (a count), and recovers', async () => {
    // totalCount is Prisma's statement, not the driver's: the read timeout (statement timeout + 1 s) bounds it too.
    const count = () => t.gql<{ history: { totalCount: number } }>('{ history { totalCount } }');
    expect((await count()).status).toBe(200);
    proxy.freeze();
    expectUnavailable(await count());
    await proxy.restore();
    const back = await count();
    expect(back.data?.history.totalCount, JSON.stringify(back)).toBe(await rowCount());
  });

  it('answers SERVICE_UNAVAILABLE, and stays up, when the connection is reset while its statement runs', async () => {
    const direct = { kind: 'postgres', url: directUrl, ...DEFAULT_POSTGRES_POOL } as const;
    await holdingLocks(direct, 'LOCK TABLE description_request IN ACCESS EXCLUSIVE MODE', [], async (lock) => {
      // The write-ahead statement is on the wire, waiting on the lock, when the connection goes.
      const pending = t.gql(DESCRIBE, { input: { image: { base64: image } } });
      await vi.waitFor(async () => expect(await lock.waiting()).toBe(1), { timeout: 10_000, interval: 20 });
      await proxy.refuse();
      expectUnavailable(await pending);
    });
    await proxy.restore();
    // No model call. (The server's backend may still commit the row once the lock goes: such a write
    // is closed by the recovery sweep, see test/writeAheadFreeze.test.ts.)
    expect(t.emulator.calls).toHaveLength(0);
    // The process survived the connection's error event, and the pool serves again.
    const after = await t.gql(DESCRIBE, { input: { image: { base64: image } } });
    expect(after.data?.describeImage.status, JSON.stringify(after)).toBe('SUCCEEDED');
  });
});
