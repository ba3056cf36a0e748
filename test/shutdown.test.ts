import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator, type RecordedCall } from '../src/emulator/index.js';
import { createFreshPostgresDatabase } from './helpers/databases.js';
import { gql } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { spawnServer, type ServerProcess } from './helpers/spawnServer.js';
import { subscribe, wsClient } from './helpers/subscribe.js';

const DESCRIBE = `mutation($input: DescribeImageInput!) { describeImage(input: $input) { id status text } }`;
const STREAM = `subscription($input: DescribeImageInput!) { describeImageStream(input: $input) { delta description { id status } } }`;
type StreamEvent = {
  describeImageStream: { delta: string | null; description: { id: string; status: string } | null };
};

/** Polls until `ready` holds; the test's timeout bounds it, so no timing is asserted. */
async function eventually<T>(read: () => T | Promise<T>, ready: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The HTTP status a WebSocket upgrade is answered with: 101 when the socket opens. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('stopping the server on SIGTERM', { timeout: 240_000 }, () => {
  let emulator: Emulator;
  let png: string;
  const servers: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    png = toBase64(await solidImage(24, 16, 'png'));
  });
  afterEach(async () => {
    emulator.clearFaults();
    emulator.resetCalls();
    for (const server of servers.splice(0)) {
      server.kill();
      await server.exited;
    }
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => emulator.close());

  /** A server on a fresh PostgreSQL database, and a client that reads its rows directly (no recovery runs). */
  async function start(env: Record<string, string> = {}) {
    const database = await createFreshPostgresDatabase();
    const rows = new pg.Client({ connectionString: database.url });
    cleanups.push(
      () => database.drop(),
      () => rows.end(),
    );
    const server = spawnServer({ DATABASE_URL: database.url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, ...env });
    servers.push(server);
    const origin = await server.ready();
    await rows.connect();
    const statuses = async () =>
      (
        await rows.query<{ status: string; errorCode: string | null }>(
          `SELECT status, "errorCode" FROM description_request ORDER BY "createdAt"`,
        )
      ).rows;
    return { server, origin, statuses };
  }
  const lastCalls = (n: number, ready: (call: RecordedCall) => boolean) =>
    eventually(
      () => emulator.calls.slice(-n),
      (calls) => calls.length === n && calls.every(ready),
    );

  it('exits with code 0 at once when idle', async () => {
    const { server } = await start();

    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const ms = Math.round(performance.now() - signalled);

    console.log(
      `idle server: exited ${ms} ms after SIGTERM; it measured its own stop at ${String(server.lines.find((l) => l.msg === 'stopped')?.ms)} ms`,
    );
    // Once (CI, a heavily loaded machine) this process ended by a signal 185 ms after SIGTERM with no 'stopped' line:
    // say which signal, and what the process printed last, if it happens again.
    expect(exit, JSON.stringify(server.lines.slice(-8))).toEqual({ code: 0, signal: null });
    // Measured by the server from the signal to the end of its stop, so a loaded test machine slowing the process's
    // start and exit does not count: what must not happen is the stop waiting out the pool's 10 s idle timeout.
    expect(Number(server.lines.find((l) => l.msg === 'stopped')?.ms)).toBeLessThan(5_000);
    const messages = server.lines.map((l) => l.msg);
    expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('stopping: finishing requests in flight'));
  });

  it('answers 503 on /readyz and refuses new requests at once, and lets a request in flight finish', async () => {
    const { server, origin, statuses } = await start();
    emulator.injectFault({ kind: 'slow', delayMs: 2_000 });
    const order: string[] = [];
    void server.exited.then(() => order.push('exited'));
    const inFlight = gql(`${origin}/graphql`, DESCRIBE, { input: { image: { base64: png } } }).then((res) => {
      order.push('answered');
      return res;
    });
    await eventually(statuses, (rows) => rows.length === 1);

    server.child.kill('SIGTERM');
    await server.waitForLine((l) => l.msg === 'stopping: finishing requests in flight');
    const readiness = await fetch(`${origin}/readyz`);
    const refused = await gql(`${origin}/graphql`, DESCRIBE, { input: { image: { base64: png } } });
    const socketRefusal = await upgradeStatus(`${origin.replace('http', 'ws')}/graphql`);

    expect(readiness.status).toBe(503);
    expect(refused.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    // A new WebSocket is a new request too: refused before it is opened, not accepted and then cut.
    expect(socketRefusal).toBe(503);
    expect((await inFlight).data?.describeImage).toMatchObject({ status: 'SUCCEEDED' });
    expect((await server.exited).code).toBe(0);
    expect(order).toEqual(['answered', 'exited']);
    expect(await statuses()).toEqual([{ status: 'SUCCEEDED', errorCode: null }]);
  });

  it('lets a stream in flight finish instead of cutting it', async () => {
    const { server, origin, statuses } = await start();
    emulator.injectFault({ kind: 'slow', delayMs: 0, chunkDelayMs: 150 });
    const client = wsClient(`${origin}/graphql`);
    try {
      const sub = subscribe<StreamEvent>(client, STREAM, { input: { image: { base64: png } } });
      await sub.waitFor(1);

      server.child.kill('SIGTERM');
      await server.waitForLine((l) => l.msg === 'stopping: finishing requests in flight');
      const refused = await subscribe<StreamEvent>(client, STREAM, { input: { image: { base64: png } } }).done.then(
        () => undefined,
        (error: { errors?: { extensions?: { code?: string } }[] }) => error,
      );
      const events = await sub.done;

      expect(refused?.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

      expect(events.at(-1)?.describeImageStream.description).toMatchObject({ status: 'SUCCEEDED' });
      expect((await server.exited).code).toBe(0);
      expect(await statuses()).toEqual([{ status: 'SUCCEEDED', errorCode: null }]);
    } finally {
      await client.dispose();
    }
  });

  it('cancels what still runs after SHUTDOWN_GRACE_MS and closes its rows INTERRUPTED before exiting', async () => {
    const { server, origin, statuses } = await start({ SHUTDOWN_GRACE_MS: '500' });
    emulator.injectFault({ kind: 'hang', times: 2 });
    const client = wsClient(`${origin}/graphql`);
    try {
      const request = gql(`${origin}/graphql`, DESCRIBE, {
        input: { image: { base64: png }, clientRequestId: randomUUID() },
      });
      const sub = subscribe<StreamEvent>(client, STREAM, { input: { image: { base64: png } } });
      const streamError = sub.done.then(
        () => undefined,
        (error: { errors?: { extensions?: { code?: string } }[] }) => error,
      );
      await eventually(statuses, (rows) => rows.length === 2);
      await lastCalls(2, () => true);

      server.child.kill('SIGTERM');

      expect((await request).errors?.[0]?.extensions).toMatchObject({ code: 'INTERRUPTED' });
      expect((await streamError)?.errors?.[0]?.extensions?.code).toBe('INTERRUPTED');
      expect((await server.exited).code).toBe(0);
      expect(await statuses()).toEqual([
        { status: 'FAILED', errorCode: 'INTERRUPTED' },
        { status: 'FAILED', errorCode: 'INTERRUPTED' },
      ]);
      expect((await lastCalls(2, (c) => c.cancelled !== undefined)).map((c) => c.cancelled)).toEqual([true, true]);
    } finally {
      await client.dispose();
    }
  });
});
