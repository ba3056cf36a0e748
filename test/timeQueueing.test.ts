import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DELAY_WINDOW_MS } from '../src/store/createQueueDelay.js';
import { timeQueueing } from '../src/store/timeQueueing.js';
import { createFreshPostgresDatabase } from './helpers/databases.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A real node-postgres pool in front of a real PostgreSQL, through a proxy that can hold handshakes.
describe('timeQueueing on a node-postgres pool', () => {
  let proxy: TcpProxy;
  let url: string;
  let drop: () => Promise<void>;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    const db = await createFreshPostgresDatabase();
    drop = db.drop;
    proxy = await startTcpProxy(5432);
    url = db.url.replace(':5432/', `:${proxy.port}/`);
  });
  afterEach(async () => {
    await proxy.restore();
    await Promise.all(pools.splice(0).map((pool) => pool.end().catch(() => {})));
  });
  afterAll(async () => {
    await proxy?.close();
    await drop?.();
  });

  function pool(max: number) {
    const created = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 2_000 });
    created.on('error', () => {});
    pools.push(created);
    return { pool: created, delay: timeQueueing(created, max) };
  }

  it('does not count opening a new connection as queueing, however long the handshake takes', async () => {
    const { pool: slow, delay } = pool(2);
    proxy.blackHole();
    const opening = [slow.connect(), slow.connect()].map((p) => p.catch((error: Error) => error));
    await sleep(QUEUE_DELAY_WINDOW_MS * 2);
    expect(delay.current()).toBe(0);
    await proxy.restore();
    await Promise.all(opening);
  });

  it('counts a wait for a full pool with no idle connection, in the callback form pool.query uses too', async () => {
    const { pool: full, delay } = pool(1);
    const held = await full.connect();
    const queued = full.query<{ one: number }>('SELECT 1 AS one');
    await sleep(QUEUE_DELAY_WINDOW_MS * 2);
    expect(delay.current()).toBeGreaterThanOrEqual(QUEUE_DELAY_WINDOW_MS * 2);
    held.release();
    expect((await queued).rows).toEqual([{ one: 1 }]);
    // The queue is gone once a window passes in which statements find the connection free.
    await full.query('SELECT 1');
    await sleep(QUEUE_DELAY_WINDOW_MS);
    await full.query('SELECT 1');
    await full.query('SELECT 1');
    await sleep(QUEUE_DELAY_WINDOW_MS);
    expect(delay.current()).toBe(0);
  });
});
