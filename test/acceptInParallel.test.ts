import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptInParallel, type ParallelAccept } from '../src/http/acceptInParallel.js';
import { applyConnectionLimits } from '../src/http/applyConnectionLimits.js';
import { startTestApp } from './helpers/startTestApp.js';

const logger = pino({ level: 'silent' });
const BURST = 48;

/** A server listening on a free loopback port, answering every request with "ok". */
async function listening(): Promise<Server> {
  const server = createServer((_, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * Opens `count` connections at once, so that all of them wait in the accept queue before the server's next turn,
 * and returns how many the server took in each turn of its event loop that took any.
 */
async function acceptsPerTurn(server: Server, count: number, sockets: Socket[]): Promise<number[]> {
  const { port } = server.address() as AddressInfo;
  let turn = 0;
  let counting = true;
  const tick = () => {
    turn += 1;
    if (counting) setImmediate(tick);
  };
  const byTurn = new Map<number, number>();
  let accepted = 0;
  const all = new Promise<void>((resolve) => {
    server.on('connection', () => {
      byTurn.set(turn, (byTurn.get(turn) ?? 0) + 1);
      accepted += 1;
      if (accepted === count) resolve();
    });
  });
  // connect() returns at once; the kernel completes each handshake into the listening socket's queue.
  for (let i = 0; i < count; i += 1) sockets.push(connect(port, '127.0.0.1').on('error', () => {}));
  setImmediate(tick);
  await all;
  counting = false;
  return [...byTurn.values()];
}

/** 'connected', or the error code a new connection to the port met. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('accepting new connections on several descriptors of the listening socket', () => {
  const servers: Server[] = [];
  const parallels: ParallelAccept[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const parallel of parallels.splice(0)) parallel.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('takes a burst of new connections several per turn of the event loop, where one descriptor takes one', async () => {
    const single = await listening();
    servers.push(single);
    expect(Math.max(...(await acceptsPerTurn(single, BURST, sockets)))).toBe(1);

    const server = await listening();
    servers.push(server);
    const parallel = await acceptInParallel(server, 8, logger);
    parallels.push(parallel);
    expect(parallel.handles).toBe(8);
    const perTurn = await acceptsPerTurn(server, BURST, sockets);
    expect(Math.max(...perTurn)).toBeGreaterThan(1);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(8);
  });

  it('serves what the other descriptors accept as the server’s own connections', async () => {
    const server = await listening();
    servers.push(server);
    const parallel = await acceptInParallel(server, 4, logger);
    parallels.push(parallel);
    const { port } = server.address() as AddressInfo;
    // All at once, so that they wait in the accept queue together and every descriptor takes some.
    const answers = Array.from({ length: BURST }, () => {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      return new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (data) => (text += data.toString()));
        socket.once('close', () => resolve(text));
      });
    });
    for (const answer of await Promise.all(answers)) expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    expect(parallel.accepted).toBeGreaterThan(0);
    expect(parallel.accepted).toBeLessThan(BURST);
  });

  it('holds MAX_CONNECTIONS across every descriptor', async () => {
    const server = await listening();
    servers.push(server);
    applyConnectionLimits(server, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 20_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 5,
      maxConnectionsPerClient: 0,
    });
    parallels.push(await acceptInParallel(server, 8, logger));
    let open = 0;
    let peak = 0;
    server.on('connection', (socket: Socket) => {
      if (socket.destroyed) return;
      open += 1;
      peak = Math.max(peak, open);
      socket.once('close', () => (open -= 1));
    });
    await acceptsPerTurn(server, 24, sockets);
    expect(peak).toBe(5);
  });

  it('stops accepting on every descriptor once closed with the server', async () => {
    const server = await listening();
    const { port } = server.address() as AddressInfo;
    const parallel = await acceptInParallel(server, 4, logger);
    parallel.close();
    await new Promise((resolve) => server.close(resolve));
    // A descriptor left open would keep the socket listening: the handshake would complete and nobody accept.
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('goes on with the server’s own descriptor, and says so, when it cannot have the others', async () => {
    const warnings: string[] = [];
    const watched = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    // Not listening yet: there is no socket to hand to the helper.
    const server = createServer();
    const parallel = await acceptInParallel(server, 8, watched);
    expect(parallel.handles).toBe(1);
    expect(warnings.join('')).toContain('could not open all the descriptors of the listening socket');
  });

  it('keeps one descriptor when asked for one', async () => {
    const server = await listening();
    servers.push(server);
    const parallel = await acceptInParallel(server, 1, logger);
    expect(parallel.handles).toBe(1);
    expect(Math.max(...(await acceptsPerTurn(server, 8, sockets)))).toBe(1);
  });

  it('closes, at the end of the grace, the connections the other descriptors accepted that are still open', async () => {
    const server = await listening();
    servers.push(server);
    const parallel = await acceptInParallel(server, 8, logger);
    parallels.push(parallel);
    await acceptsPerTurn(server, BURST, sockets);
    expect(parallel.accepted).toBeGreaterThan(0);
    let closed = 0;
    for (const socket of sockets) socket.once('close', () => (closed += 1));
    // Every connection is open and idle: the grace runs out.
    const started = Date.now();
    await parallel.closeConnections(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // Those, and only those: the server's own descriptor's connections are the server's close() to end.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(parallel.accepted);
  });

  it('stops accepting on every descriptor when the server stops', { timeout: 60_000 }, async () => {
    const t = await startTestApp('pglite');
    const { port } = new URL(t.url);
    expect((await fetch(new URL('/healthz', t.url))).status).toBe(200);
    await t.stop();
    expect(await tryConnect(Number(port))).toBe('ECONNREFUSED');
  });
});
