import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const PER_CLIENT = 4;
const REQUEST_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = 3;
const KEEP_ALIVE_MS = 500;
const NODE_KEEP_ALIVE_BUFFER_MS = 1_000;

/** Opens a TCP connection and resolves once it is established. */
function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with how the connection ended: closed by the server, or still open after a request round trip. */
function fate(socket: Socket, host: string): Promise<'closed' | 'answered'> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve('closed'));
    socket.once('data', () => resolve('answered'));
    socket.on('error', () => {});
    socket.write(`GET /healthz HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
  });
}

/**
 * Opens `cap` connections (kept in `sockets`) and one more: the extra one is closed at once while
 * the first ones are served, and once one of them closes a new connection is served again.
 */
async function expectCapHolds(url: string, sockets: Socket[], cap: number): Promise<void> {
  const { host } = new URL(url);
  // The server accepts connections in the order they were made, so the last one is the one past the cap.
  for (let i = 0; i < cap; i += 1) sockets.push(await open(url));
  const extra = await open(url);
  expect(await fate(extra, host)).toBe('closed');
  for (const socket of sockets) expect(await fate(socket, host)).toBe('answered');
  sockets.pop()!.destroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const again = await open(url);
  sockets.push(again);
  expect(await fate(again, host)).toBe('answered');
}

describe('connections from a hostile client', () => {
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      config: {
        http: {
          ...loadConfig({}).http,
          maxConnectionsPerClient: PER_CLIENT,
          headersTimeoutMs: 1_000,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        },
      },
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await t?.stop();
  });

  it('closes a connection past the per-client cap at once, and takes one again when another closes', async () => {
    await expectCapHolds(t.url, sockets, PER_CLIENT);
  });

  it('closes a connection that never finishes its headers', async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const silent = await open(t.url);
    silent.on('error', () => {});
    silent.write('GET /healthz HTTP/1.1\r\n');
    const ended = await new Promise<string>((resolve) => {
      let received = '';
      silent.on('data', (data) => (received += data.toString()));
      silent.once('close', () => resolve(received));
    });
    expect(ended).toMatch(/^HTTP\/1\.1 408/);
  }, 30_000);

  it('answers 408 and closes a connection that trickles its body past the request timeout', async () => {
    const slow = await open(t.url);
    slow.on('error', () => {});
    const { host } = new URL(t.url);
    const started = Date.now();
    slow.write(
      `POST /graphql HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"qu`,
    );
    // A byte every 200 ms: never idle, never done.
    const trickle = setInterval(() => slow.write(' '), 200);
    const ended = await new Promise<string>((resolve) => {
      let received = '';
      slow.on('data', (data) => (received += data.toString()));
      slow.once('close', () => resolve(received));
    }).finally(() => clearInterval(trickle));
    // Node's requestTimeout, not the body parser, ends it: the headers were complete, so the
    // request had its whole requestTimeoutMs, and the client is told why before the socket closes.
    expect(ended).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // With the same JSON error body as every other refusal (src/http/answerClientErrors.ts).
    expect(JSON.parse(ended.slice(ended.indexOf('\r\n\r\n') + 4))).toMatchObject({
      errors: [{ extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
  }, 30_000);
});

describe('connections to a server at its global cap', () => {
  let t: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      config: {
        http: {
          ...loadConfig({}).http,
          maxConnections: MAX_CONNECTIONS,
          // As behind a proxy: only the global cap applies.
          maxConnectionsPerClient: 0,
          keepAliveTimeoutMs: KEEP_ALIVE_MS,
        },
      },
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await t?.stop();
  });

  it('refuses a connection past MAX_CONNECTIONS while the earlier ones are served, and takes one once another closes', async () => {
    // As behind a proxy (no per-client cap): the global cap alone.
    await expectCapHolds(t.url, sockets, MAX_CONNECTIONS);
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { host } = new URL(t.url);
    const idle = await open(t.url);
    idle.on('error', () => {});
    const closed = new Promise<number>((resolve) => idle.once('close', () => resolve(Date.now())));
    expect(await fate(idle, host)).toBe('answered');
    const answered = Date.now();
    const idleFor = (await closed) - answered;
    // Node destroys the socket keepAliveTimeoutBuffer (1 s by default, in the Node versions that have it) after
    // keepAliveTimeout, so that a client trusting the Keep-Alive header closes first. Node's own default
    // keepAliveTimeout (5 s) would keep it open for 6 s.
    expect(idleFor).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 50);
    expect(idleFor).toBeLessThan(KEEP_ALIVE_MS + NODE_KEEP_ALIVE_BUFFER_MS + 2_000);
  }, 30_000);
});

describe('connection settings', () => {
  it('refuses a headers timeout longer than the request timeout, which Node would refuse', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '70000', HTTP_REQUEST_TIMEOUT_MS: '60000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS/,
    );
  });
});
