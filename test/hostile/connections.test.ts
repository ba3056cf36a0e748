import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const PER_CLIENT = 4;

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
          requestTimeoutMs: 2_000,
        },
      },
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await t?.stop();
  });

  it('closes a connection past the per-client cap at once, and takes one again when another closes', async () => {
    const { host } = new URL(t.url);
    for (let i = 0; i < PER_CLIENT; i += 1) sockets.push(await open(t.url));
    const extra = await open(t.url);
    expect(await fate(extra, host)).toBe('closed');
    // The first ones are served.
    expect(await fate(sockets[0]!, host)).toBe('answered');
    sockets.pop()!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await open(t.url);
    sockets.push(again);
    expect(await fate(again, host)).toBe('answered');
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

  it('closes a connection whose body does not arrive in time', async () => {
    const slow = await open(t.url);
    slow.on('error', () => {});
    const { host } = new URL(t.url);
    slow.write(
      `POST /graphql HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"qu`,
    );
    const ended = await new Promise<string>((resolve) => {
      let received = '';
      slow.on('data', (data) => (received += data.toString()));
      slow.once('close', () => resolve(received));
    });
    // Closed by Node's requestTimeout (408), or by the body parser seeing the request aborted.
    expect(ended === '' || /^HTTP\/1\.1 408/.test(ended)).toBe(true);
  }, 30_000);
});

describe('connection settings', () => {
  it('refuses a headers timeout longer than the request timeout, which Node would refuse', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '70000', HTTP_REQUEST_TIMEOUT_MS: '60000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS/,
    );
  });
});
