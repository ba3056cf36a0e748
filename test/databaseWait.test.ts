import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toHistoryFilter } from '../src/history/index.js';
import { holdingLocks } from './helpers/databases.js';
import { expectData } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { DESCRIBE } from './helpers/operations.js';
import { freshDatabase, startTestApp, type TestApp } from './helpers/startTestApp.js';
import { parsePrometheus, sampleValue } from './metrics/prometheusText.js';

const MAX_DATABASE_WAIT_MS = 100;

const WAIT = { timeout: 10_000, interval: 20 };

// PostgreSQL only: PGlite has no pool to queue for (its statements run on the event loop, which
// MAX_EVENT_LOOP_DELAY_MS bounds).
describe('admission while statements queue for the PostgreSQL pool', () => {
  let t: TestApp;
  let image: string;
  beforeAll(async () => {
    const database = await freshDatabase('postgres');
    if (database.config.kind !== 'postgres') throw new Error('expected PostgreSQL');
    t = await startTestApp('postgres', {
      // Two connections, so two requests stuck on a lock hold the whole pool.
      database: { ...database, config: { ...database.config, poolSize: 2 } },
      config: {
        admission: {
          maxInFlight: 256,
          maxBufferedBytes: 128 * 1024 * 1024,
          maxEventLoopDelayMs: 60_000,
          maxDatabaseWaitMs: MAX_DATABASE_WAIT_MS,
        },
      },
    });
    image = toBase64(await solidImage(32, 32, 'png'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  const rows = () => t.app.store.history.countHistory(toHistoryFilter(undefined));
  const post = (query: string, variables?: Record<string, unknown>) =>
    fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  const refusals = async () =>
    sampleValue(
      parsePrometheus(await (await fetch(new URL('/metrics', t.url))).text()),
      'bvg_admission_refusals_total',
      { reason: 'database_wait' },
    ) ?? 0;

  it('refuses a new request once a statement has waited past the bound, and lets the admitted ones finish', async () => {
    const before = await rows();
    const refusedBefore = await refusals();
    const admitted = await holdingLocks(
      t.database.config,
      'LOCK TABLE description_request IN ACCESS EXCLUSIVE MODE',
      [],
      async (lock) => {
        // Two requests take both connections and wait on the lock; a third waits for a connection.
        const first = [1, 2, 3].map((n) => t.gql(DESCRIBE, { input: { image: { base64: image }, prompt: `#${n}` } }));
        await vi.waitFor(async () => expect(await lock.waiting()).toBe(2), WAIT);
        // The third's wait, once it has lasted a window, is the reading admission goes by.
        await vi.waitFor(
          () => expect(t.app.store.poolUsage()!.queueDelayMs).toBeGreaterThan(MAX_DATABASE_WAIT_MS),
          WAIT,
        );

        const refused = await post(DESCRIBE, { input: { image: { base64: image }, prompt: '#4' } });
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('1');
        const body = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
        expect(body.errors[0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
        expect(body.errors[0]!.message).toMatch(/database connections \d+ ms away/);
        return first;
      },
    );
    for (const res of await Promise.all(admitted)) expect(expectData(res).describeImage.status).toBe('SUCCEEDED');
    // The refused request made no model call and wrote no row.
    expect(t.emulator.calls).toHaveLength(3);
    expect(await rows()).toBe(before + 3);
    expect((await refusals()) - refusedBefore).toBe(1);

    // Once nothing waits, requests are admitted again.
    await vi.waitFor(async () => expect((await post('{ models { id } }')).status).toBe(200), WAIT);
    const after = await t.gql(DESCRIBE, { input: { image: { base64: image } } });
    expect(expectData(after).describeImage.status).toBe('SUCCEEDED');
  });
});
