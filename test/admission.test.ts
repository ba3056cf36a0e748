import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toHistoryFilter } from '../src/history/index.js';
import { DATABASES, holdingLocks } from './helpers/databases.js';
import { expectData, gql } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { DESCRIBE } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { subscribe, wsClient } from './helpers/subscribe.js';
import { parsePrometheus, sampleValue } from './metrics/prometheusText.js';
import WebSocket from 'ws';
import { connect } from 'node:net';
import { seedRow } from './helpers/seedLedger.js';

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
      config: {
        admission: {
          maxInFlight: 2,
          maxBufferedBytes: MAX_BUFFERED_BYTES,
          maxEventLoopDelayMs: 1_000,
          maxDatabaseWaitMs: 0,
        },
      },
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

  const post = (body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal });

  /** The admission's count of work in flight, as the metrics report it (GET /metrics is not admitted). */
  const inFlight = async () =>
    sampleValue(parsePrometheus(await (await fetch(new URL('/metrics', t.url))).text()), 'bvg_requests_in_flight');

  /** A raw graphql-transport-ws socket, acknowledged, so a test can send what a client library never would. */
  async function rawSocket(): Promise<WebSocket> {
    const socket = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve();
      }),
    );
    return socket;
  }
  const describeMessage = (id: string) =>
    JSON.stringify({
      id,
      type: 'subscribe',
      payload: { query: DESCRIBE, variables: { input: { image: { base64: image } } } },
    });

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

  it("keeps a request's slot until its work ends when the client goes away, so a disconnect frees no capacity", async () => {
    const before = await rows();
    t.emulator.injectFault({ kind: 'slow', delayMs: 1_500, times: 2 });
    const gone = new AbortController();
    const body = JSON.stringify({ query: DESCRIBE, variables: { input: { image: { base64: image } } } });
    const sent = [post(body, {}, gone.signal), post(body, {}, gone.signal)].map((p) => p.catch(() => 'aborted'));
    await until(async () => (await rows('PENDING')) === 2, 'two requests in flight');
    gone.abort();
    expect(await Promise.all(sent)).toEqual(['aborted', 'aborted']);
    // The two model calls still run (their answers are recorded for a retry to replay): they still count.
    expect(await inFlight()).toBe(2);
    expect((await post(JSON.stringify({ query: '{ models { id } }' }))).status).toBe(503);

    await until(async () => (await rows('PENDING')) === 0 && (await rows()) === before + 2, 'the calls to end');
    await until(async () => (await inFlight()) === 0, 'the slots to be given back');
    expect((await post(JSON.stringify({ query: '{ models { id } }' }))).status).toBe(200);
  });

  it("keeps a WebSocket operation's slot until it ends, even when its socket closes first", async () => {
    const before = await rows();
    t.emulator.injectFault({ kind: 'slow', delayMs: 1_500, times: 1 });
    const socket = await rawSocket();
    socket.send(describeMessage('1'));
    await until(async () => (await rows('PENDING')) === 1, 'the request in flight');
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await inFlight()).toBe(1);
    await until(async () => (await rows('PENDING')) === 0 && (await rows()) === before + 1, 'the call to end');
    await until(async () => (await inFlight()) === 0, 'the slot to be given back');
  });

  it('gives back every slot when a socket reuses an operation id it completed while the operation ran', async () => {
    const before = await rows();
    t.emulator.injectFault({ kind: 'slow', delayMs: 1_000, times: 2 });
    const socket = await rawSocket();
    try {
      // graphql-ws forgets an id on `complete` while a mutation under it still runs; the id is free again.
      socket.send(describeMessage('1'));
      await until(async () => (await rows('PENDING')) === 1, 'the first request in flight');
      socket.send(JSON.stringify({ id: '1', type: 'complete' }));
      socket.send(describeMessage('1'));
      await until(async () => (await rows('PENDING')) === 2, 'the second request in flight');
      await until(async () => (await rows('PENDING')) === 0 && (await rows()) === before + 2, 'both calls to end');
      await until(async () => (await inFlight()) === 0, 'both slots to be given back');
    } finally {
      socket.close();
    }
  });

  it('counts a WebSocket message against the buffered bytes, as a body, and refuses one past the bound', async () => {
    const socket = await rawSocket();
    try {
      const padding = 'A'.repeat(MAX_BUFFERED_BYTES);
      const answer = new Promise<{ type: string; payload: { extensions?: unknown }[] }>((resolve) =>
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as { id?: string; type: string; payload: [] };
          if (message.id === 'big') resolve(message);
        }),
      );
      socket.send(
        JSON.stringify({
          id: 'big',
          type: 'subscribe',
          payload: { query: DESCRIBE, variables: { input: { image: { base64: image }, system: padding } } },
        }),
      );
      const message = await answer;
      expect(message.type).toBe('error');
      expect(message.payload[0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
      expect(t.emulator.calls).toHaveLength(0);
    } finally {
      socket.close();
    }
  });

  it('closes a socket whose connection_init is larger than a key needs (1009), whatever came before it', async () => {
    const socket = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    // A ping first: graphql-ws answers it before connection_init, so the init is not the first message.
    socket.send(JSON.stringify({ type: 'ping' }));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'x'.repeat(20_000) } }));
    expect(await closed).toBe(1009);
  });

  // PostgreSQL, to hold the export's first read on a table lock while its client leaves.
  it.runIf(kind === 'postgres')(
    'ends an export whose client left while its first rows were read, and gives its slot back',
    async () => {
      // More than one 64 KB write of lines, so the export would block on a full socket.
      for (let i = 0; i < 150; i++) {
        await seedRow(t.app.store.descriptions, {
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
          text: 'x'.repeat(1_000),
        });
      }
      await holdingLocks(
        t.database.config,
        'LOCK TABLE description_request IN ACCESS EXCLUSIVE MODE',
        [],
        async (lock) => {
          const { port } = new URL(t.url);
          const socket = connect(Number(port), '127.0.0.1');
          socket.on('error', () => {});
          socket.write('GET /export/history.ndjson HTTP/1.1\r\nHost: localhost\r\n\r\n');
          await until(async () => (await lock.waiting()) > 0, 'the export to wait on the lock');
          expect(await inFlight()).toBe(1);
          // The client leaves while the first read waits.
          socket.destroy();
          await new Promise((resolve) => setTimeout(resolve, 200));
        },
      );
      await until(async () => (await inFlight()) === 0, 'the export to end and give its slot back');
    },
  );

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
