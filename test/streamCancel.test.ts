import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type RecordedCall } from '../src/emulator/index.js';
import { DATABASES } from './helpers/databases.js';
import { expectData } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { subscribe, wsClient } from './helpers/subscribe.js';

const STREAM = /* GraphQL */ `
  subscription Stream($input: DescribeImageInput!) {
    describeImageStream(input: $input) {
      delta
    }
  }
`;
const ROW = /* GraphQL */ `
  query Row($key: String!) {
    history(filter: { clientRequestId: $key }) {
      edges {
        node {
          status
          text
          error {
            code
          }
        }
      }
    }
  }
`;

type Event = { describeImageStream: { delta: string | null } };

/** Polls until `ready` holds, with no bound of its own: the test's timeout is the bound, so no timing is asserted. */
async function eventually<T>(read: () => T | Promise<T>, ready: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(DATABASES)('cancelling a streamed description on %s', (kind) => {
  let emulator: Emulator;
  let t: TestApp;
  let png: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    // Long enough that only a cancellation, never the upstream timeout, can end a hung call within a test.
    t = await startTestApp(kind, { emulator, bedrock: { requestTimeoutMs: 60_000 } });
    png = toBase64(await solidImage(32, 24, 'png'));
  });
  afterAll(async () => {
    await t?.stop();
    await emulator?.close();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });

  const row = async (key: string) => expectData(await t.gql(ROW, { key })).history.edges[0]?.node;
  const closedRow = (key: string) =>
    eventually(
      () => row(key),
      (r) => r !== undefined && r.status !== 'PENDING',
    );
  const lastCall = (ready: (call: RecordedCall) => boolean) =>
    eventually(
      () => emulator.calls.at(-1),
      (call) => call !== undefined && ready(call),
    );

  it('cancels the model call and closes the row CANCELLED when the client unsubscribes before the first event', async () => {
    emulator.injectFault({ kind: 'hang' });
    const key = randomUUID();
    const client = wsClient(t.url);
    try {
      const sub = subscribe<Event>(client, STREAM, { input: { image: { base64: png }, clientRequestId: key } });
      await lastCall(() => true);
      expect(await row(key)).toMatchObject({ status: 'PENDING' });

      sub.cancel();

      expect(await closedRow(key)).toMatchObject({ status: 'FAILED', error: { code: 'CANCELLED' } });
      expect(await lastCall((c) => c.cancelled !== undefined)).toMatchObject({ status: 0, cancelled: true });
      expect(sub.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('does the same when the WebSocket closes before the first event', async () => {
    emulator.injectFault({ kind: 'hang' });
    const key = randomUUID();
    const client = wsClient(t.url);
    const sub = subscribe<Event>(client, STREAM, { input: { image: { base64: png }, clientRequestId: key } });
    sub.done.catch(() => undefined);
    await lastCall(() => true);

    await client.dispose();

    expect(await closedRow(key)).toMatchObject({ status: 'FAILED', error: { code: 'CANCELLED' } });
    expect(await lastCall((c) => c.cancelled !== undefined)).toMatchObject({ cancelled: true });
  });

  it('cancels a stream that fell silent mid-way, keeping the text delivered', async () => {
    emulator.injectFault({ kind: 'hang', afterChunks: 1 });
    const key = randomUUID();
    const client = wsClient(t.url);
    try {
      const sub = subscribe<Event>(client, STREAM, { input: { image: { base64: png }, clientRequestId: key } });
      await sub.waitFor(1);

      sub.cancel();

      const closed = await closedRow(key);
      expect(closed).toMatchObject({ status: 'FAILED', error: { code: 'CANCELLED' } });
      expect(closed.text).toBe(sub.events.map((e) => e.describeImageStream.delta).join(''));
      expect(await lastCall((c) => c.cancelled !== undefined)).toMatchObject({ chunksSent: 1, cancelled: true });
    } finally {
      await client.dispose();
    }
  });
});
