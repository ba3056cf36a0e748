import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { DATABASES } from './helpers/databases.js';
import { expectData } from './helpers/graphqlClient.js';
import { photoBoardJpeg, solidImage, toBase64 } from './helpers/images.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { subscribe, wsClient } from './helpers/subscribe.js';

const STREAM = /* GraphQL */ `
  subscription Stream($input: DescribeImageInput!) {
    describeImageStream(input: $input) {
      delta
      description {
        id
        status
        text
        api
        costUsd
        usage {
          inputTokens
          outputTokens
          totalTokens
        }
        error {
          code
        }
      }
    }
  }
`;

type Event = { describeImageStream: { delta: string | null; description: any } };

const ROW = `query($id: ID!) { description(id: $id) { status text usage { totalTokens } error { code } } }`;

async function rowWhenClosed(t: TestApp, id: string) {
  for (let i = 0; i < 100; i++) {
    const row = expectData(await t.gql(ROW, { id })).description;
    if (row.status !== 'PENDING') return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`row ${id} stayed PENDING`);
}

describe.each(DATABASES)('streamed descriptions over graphql-ws on %s', (kind) => {
  let emulator: Emulator;
  let t: TestApp;
  let png: string;

  beforeAll(async () => {
    // Slow enough pacing that a client can act between deltas.
    emulator = await startEmulator({ port: 0, streamChunkDelayMs: 40 });
    t = await startTestApp(kind, { emulator });
    png = toBase64(await solidImage(64, 48, 'png', { r: 30, g: 90, b: 200 }));
  });
  afterAll(async () => {
    await t?.stop();
    await emulator?.close();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });

  it('streams text in pieces through ConverseStream and lands the complete row in history', async () => {
    const client = wsClient(t.url);
    try {
      const events = await subscribe<Event>(client, STREAM, { input: { image: { base64: png } } }).done;
      const deltas = events.map((e) => e.describeImageStream.delta).filter((d): d is string => d !== null);
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      const last = events.at(-1)!.describeImageStream.description;
      expect(last).toMatchObject({ status: 'SUCCEEDED', api: 'CONVERSE', text: deltas.join('') });
      expect(last.text).toContain('64×48');
      expect(emulator.calls[0]!.operation).toBe('ConverseStream');
      const row = expectData(await t.gql(ROW, { id: last.id })).description;
      expect(row).toMatchObject({
        status: 'SUCCEEDED',
        text: last.text,
        usage: { totalTokens: last.usage.totalTokens },
      });
    } finally {
      await client.dispose();
    }
  });

  it('streams the seed request through InvokeModelWithResponseStream with the seed body', async () => {
    const client = wsClient(t.url);
    try {
      const photo = photoBoardJpeg();
      const events = await subscribe<Event>(client, STREAM, {
        input: { image: { base64: toBase64(photo) }, api: 'INVOKE_MODEL' },
      }).done;
      const last = events.at(-1)!.describeImageStream.description;
      expect(last).toMatchObject({ status: 'SUCCEEDED', api: 'INVOKE_MODEL' });
      expect(last.usage.inputTokens).toBeGreaterThan(0);
      const call = emulator.calls[0]!;
      expect(call.operation).toBe('InvokeModelWithResponseStream');
      expect(call.body).toEqual({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 1000,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: photo.toString('base64') } },
              { type: 'text', text: 'What is in this image?' },
            ],
          },
        ],
      });
    } finally {
      await client.dispose();
    }
  });

  it('cancels the Bedrock stream when the client unsubscribes, leaving a FAILED/CANCELLED row with the text so far', async () => {
    const client = wsClient(t.url);
    try {
      const sub = subscribe<Event>(client, STREAM, {
        input: { image: { base64: png }, prompt: 'Describe it in great detail please.' },
      });
      await sub.waitFor(1);
      sub.cancel();
      const received = sub.events.map((e) => e.describeImageStream.delta ?? '').join('');
      // The row id is not sent before the end; find the request through history.
      let row: any;
      for (let i = 0; i < 100 && row === undefined; i++) {
        const h = expectData(
          await t.gql(`{ history(filter: { status: [FAILED] }) { edges { node { id text error { code } } } } }`),
        ).history;
        row = h.edges.find((e: any) => e.node.error.code === 'CANCELLED')?.node;
        if (row === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(row).toBeDefined();
      expect(row.text.startsWith(received)).toBe(true);
      expect(row.text.length).toBeGreaterThan(0);
      for (let i = 0; i < 50 && emulator.calls[0]!.cancelled === undefined; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(emulator.calls[0]!.cancelled).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('ends FAILED with the upstream code when the stream breaks mid-way', async () => {
    emulator.injectFault({ kind: 'mid-stream-error', afterChunks: 2, errorType: 'throttlingException' });
    const client = wsClient(t.url);
    try {
      const sub = subscribe<Event>(client, STREAM, { input: { image: { base64: png } } });
      const error: any = await sub.done.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error.errors[0].extensions.code).toBe('UPSTREAM_THROTTLED');
      const id = error.errors[0].extensions.descriptionId;
      const row = await rowWhenClosed(t, id);
      expect(row.status).toBe('FAILED');
      expect(row.error.code).toBe('UPSTREAM_THROTTLED');
      expect(row.text).toBe(sub.events.map((e) => e.describeImageStream.delta).join(''));
    } finally {
      await client.dispose();
    }
  });
});
