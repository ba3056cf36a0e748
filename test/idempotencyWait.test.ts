import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, holdingLocks } from './helpers/databases.js';
import { expectErrorCode, gql } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

const DESCRIBE = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id status } }';

describe.each(DATABASES)('a duplicate clientRequestId while the first is still running, on %s', (kind) => {
  let waiting: TestApp;
  let impatient: TestApp;
  let image: string;
  beforeAll(async () => {
    waiting = await startTestApp(kind, { config: { idempotencyWaitMs: 10_000 } });
    impatient = await startTestApp(kind, { config: { idempotencyWaitMs: 200 } });
    image = toBase64(await solidImage(16, 16));
  });
  afterAll(async () => {
    await waiting?.stop();
    await impatient?.stop();
  });
  beforeEach(() => {
    for (const t of [waiting, impatient]) {
      t.emulator.clearFaults();
      t.emulator.resetCalls();
    }
  });

  it('waits for the first request and answers with its outcome, calling the model once', async () => {
    waiting.emulator.injectFault({ kind: 'slow', delayMs: 1_200 });
    const input = { image: { base64: image }, clientRequestId: `twin-${kind}` };
    const first = gql(waiting.url, DESCRIBE, { input });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [a, b] = await Promise.all([first, gql(waiting.url, DESCRIBE, { input })]);
    expect(b.errors, JSON.stringify(b.errors)).toBeUndefined();
    expect(b.data!.describeImage).toEqual(a.data!.describeImage);
    expect(a.data!.describeImage.status).toBe('SUCCEEDED');
    expect(waiting.emulator.calls).toHaveLength(1);
  });

  it('tries a first attempt that was throttled again under the same key, as a new attempt of the same row', async () => {
    const input = { image: { base64: image }, clientRequestId: `throttled-${kind}` };
    waiting.emulator.injectFault({ kind: 'throttle', times: Infinity });
    const first = await gql(waiting.url, DESCRIBE, { input });
    const failed = expectErrorCode(first, 'UPSTREAM_THROTTLED');
    waiting.emulator.clearFaults();
    waiting.emulator.resetCalls();
    const retried = await gql(waiting.url, DESCRIBE, { input });
    expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
    expect(retried.data!.describeImage).toEqual({ id: failed.descriptionId, status: 'SUCCEEDED' });
    expect(waiting.emulator.calls).toHaveLength(1);
    expect(await waiting.app.store.history.countHistory({ clientRequestId: input.clientRequestId })).toBe(1);
  });

  // Deterministic on PostgreSQL: a row lock held from outside lets both retries read the FAILED row and
  // both reach the reopen, which waits on the lock; once it is let go one reopens and runs, and the
  // other must wait for that run, not replay the throttle it read before it. (PGlite runs one
  // statement at a time on one connection, so the two cannot interleave there.)
  it.runIf(kind === 'postgres')(
    "answers a retry that lost the reopen to a concurrent retry with that retry's outcome, calling the model once",
    async () => {
      const input = { image: { base64: image }, clientRequestId: `throttled-racers-${kind}` };
      waiting.emulator.injectFault({ kind: 'throttle', times: Infinity });
      const failed = expectErrorCode(await gql(waiting.url, DESCRIBE, { input }), 'UPSTREAM_THROTTLED');
      waiting.emulator.clearFaults();
      waiting.emulator.resetCalls();
      const lockRow = 'SELECT 1 FROM description_request WHERE id = $1 FOR UPDATE';
      await holdingLocks(waiting.database.config, lockRow, [failed.descriptionId], async (lock) => {
        const retries = Promise.all([gql(waiting.url, DESCRIBE, { input }), gql(waiting.url, DESCRIBE, { input })]);
        const deadline = Date.now() + 10_000;
        while ((await lock.waiting()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(await lock.waiting()).toBe(2);
        await lock.release();
        for (const retry of await retries) {
          expect(retry.errors, JSON.stringify(retry.errors)).toBeUndefined();
          expect(retry.data!.describeImage).toEqual({ id: failed.descriptionId, status: 'SUCCEEDED' });
        }
      });
      expect(waiting.emulator.calls).toHaveLength(1);
    },
  );

  it("refuses a different request under a running request's clientRequestId at once, without waiting for it", async () => {
    waiting.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
    const input = { image: { base64: image }, clientRequestId: `reused-while-running-${kind}` };
    const first = gql(waiting.url, DESCRIBE, { input }).then((res) => ({ which: 'first', res }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reused = gql(waiting.url, DESCRIBE, { input: { ...input, prompt: 'Something else' } }).then((res) => ({
      which: 'reused',
      res,
    }));
    const settledFirst = await Promise.race([first, reused]);
    expect(settledFirst.which).toBe('reused');
    expect(expectErrorCode(settledFirst.res, 'BAD_USER_INPUT').reason).toBe('CLIENT_REQUEST_ID_REUSED');
    expect((await first).res.data!.describeImage.status).toBe('SUCCEEDED');
  });

  it('replays any other failure without calling the model again', async () => {
    const input = { image: { base64: image }, clientRequestId: `invalid-${kind}` };
    waiting.emulator.injectFault({ kind: 'validation' });
    expectErrorCode(await gql(waiting.url, DESCRIBE, { input }), 'UPSTREAM_ERROR');
    waiting.emulator.resetCalls();
    expectErrorCode(await gql(waiting.url, DESCRIBE, { input }), 'UPSTREAM_ERROR');
    expect(waiting.emulator.calls).toHaveLength(0);
  });

  it('answers REQUEST_IN_PROGRESS with retry advice once the wait runs out', async () => {
    impatient.emulator.injectFault({ kind: 'slow', delayMs: 1_500 });
    const input = { image: { base64: image }, clientRequestId: `slow-twin-${kind}` };
    const first = gql(impatient.url, DESCRIBE, { input });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extensions = expectErrorCode(await gql(impatient.url, DESCRIBE, { input }), 'REQUEST_IN_PROGRESS');
    expect(extensions.retryAfterSeconds).toBe(1);
    expect(extensions.descriptionId).toBe((await first).data!.describeImage.id);
  });
});
