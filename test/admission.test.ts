import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toHistoryFilter } from '../src/history/index.js';
import { DATABASES } from './helpers/databases.js';
import { expectData, gql } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { DESCRIBE } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { subscribe, wsClient } from './helpers/subscribe.js';

const MAX_BUFFERED_BYTES = 200_000;

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DATABASES)('admission control on %s', (kind) => {
  let t: TestApp;
  let image: string;
  beforeAll(async () => {
    t = await startTestApp(kind, {
      config: { admission: { maxInFlight: 2, maxBufferedBytes: MAX_BUFFERED_BYTES, maxEventLoopDelayMs: 1_000 } },
    });
    image = toBase64(await solidImage(32, 32, 'png'));
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.clearFaults();
    t.emulator.resetCalls();
  });

  /** Rows in the ledger, read past the HTTP door (which is full during these tests). */
  const rows = (status?: 'PENDING') =>
    t.app.store.history.countHistory(toHistoryFilter(status === undefined ? undefined : { status: [status] }));

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses a third request while two are in flight: 503, Retry-After, no model call, no row', async () => {
    const before = await rows();
    t.emulator.injectFault({ kind: 'slow', delayMs: 1_500, times: 2 });
    const first = t.gql(DESCRIBE, { input: { image: { base64: image } } });
    const second = t.gql(DESCRIBE, { input: { image: { base64: image }, prompt: 'And this one?' } });
    // Both are past their write-ahead row and waiting on the model.
    await until(async () => (await rows('PENDING')) === 2, 'two requests in flight');

    const third = await post(JSON.stringify({ query: DESCRIBE, variables: { input: { image: { base64: image } } } }));
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    const body = (await third.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });

    // Reads are work in flight too, and are refused the same way.
    expect((await post(JSON.stringify({ query: '{ models { id } }' }))).status).toBe(503);

    for (const res of await Promise.all([first, second]))
      expect(expectData(res).describeImage.status).toBe('SUCCEEDED');
    expect(t.emulator.calls).toHaveLength(2);
    expect(await rows()).toBe(before + 2);
    expect(await rows('PENDING')).toBe(0);

    // The slots are free again once the answers are out.
    const after = await t.gql(DESCRIBE, { input: { image: { base64: image } } });
    expect(expectData(after).describeImage.status).toBe('SUCCEEDED');
  });

  it('refuses a body that would take the buffered bytes past their bound, before reading it', async () => {
    const before = await rows();
    const padding = 'A'.repeat(MAX_BUFFERED_BYTES);
    const res = await post(
      JSON.stringify({ query: DESCRIBE, variables: { input: { image: { base64: image }, system: padding } } }),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(t.emulator.calls).toHaveLength(0);
    expect(await rows()).toBe(before);
  });

  it('counts a compressed body at the most it may inflate to', async () => {
    const res = await post('{}', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(503);
  });

  it('refuses a subscription over WebSocket while the bound is reached, and admits it once a slot frees', async () => {
    const before = await rows();
    t.emulator.injectFault({ kind: 'slow', delayMs: 1_500, times: 2 });
    const busy = [
      t.gql(DESCRIBE, { input: { image: { base64: image } } }),
      t.gql(DESCRIBE, { input: { image: { base64: image } } }),
    ];
    await until(async () => (await rows('PENDING')) === 2, 'two requests in flight');
    const client = wsClient(t.url);
    try {
      const stream = `subscription($input: DescribeImageInput!) {
        describeImageStream(input: $input) { delta description { id status } }
      }`;
      const refused = subscribe(client, stream, { input: { image: { base64: image } } });
      const error = (await refused.done.catch((e: unknown) => e)) as { errors?: { extensions?: unknown }[] };
      expect(error.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
      await Promise.all(busy);
      expect(await rows()).toBe(before + 2);

      const admitted = await subscribe<{ describeImageStream: { description: { status: string } | null } }>(
        client,
        stream,
        { input: { image: { base64: image } } },
      ).done;
      expect(admitted.at(-1)?.describeImageStream.description?.status).toBe('SUCCEEDED');
    } finally {
      await client.dispose();
    }
    // The finished subscription gave its slot back: two plain requests fit again.
    const again = await Promise.all([gql(t.url, '{ models { id } }'), gql(t.url, '{ models { id } }')]);
    for (const res of again) expect(res.status).toBe(200);
  });
});
