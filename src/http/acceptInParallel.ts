import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Logger } from 'pino';

/** The most a helper process may take to hand the descriptors back before the server goes on with what it has. */
const HELPER_TIMEOUT_MS = 5_000;

/**
 * Sends every listening handle it is given straight back, then exits once the server lets go of it. Passing a handle
 * over IPC gives the receiver a new descriptor of the same listening socket (SCM_RIGHTS): Node has no dup() of its
 * own. Plain JavaScript run with `-e`, as the PGlite thread's code, so it runs the same under the TypeScript test
 * loader and from dist.
 */
const ECHO_HANDLES = `
process.on('message', (message, handle) => process.send(message, handle, () => handle.close()));
process.on('disconnect', () => process.exit(0));
`;

export interface ParallelAccept {
  /** Descriptors accepting for the server, its own included: 1 when the others could not be had. */
  readonly handles: number;
  /** Stops the extra descriptors accepting (the server's own closes with the server). */
  close(): void;
}

/**
 * Makes a listening HTTP server accept up to `handles` new connections per turn of the event loop instead of one.
 * Since libuv 1.45 a server accepts a single connection each time the loop polls (libuv#3696), and a turn of a busy
 * process lasts tens of milliseconds, so a burst of new connections (a load balancer widening its pool, clients
 * coming back after a restart) waited in the kernel's accept queue for seconds, unseen by any bound of this server,
 * while requests on open connections went ahead. Each extra descriptor of the same socket is polled on its own and
 * accepts one more per turn; what it accepts goes to `server` as its own connections do ('connection'), so every
 * limit and timeout of the server applies to it. The descriptors come from a short-lived helper process (see
 * ECHO_HANDLES). Node 22's `reusePort` would do the same without one. If the helper cannot be had, the server goes on
 * accepting through its own descriptor alone, and says so.
 */
export async function acceptInParallel(server: Server, handles: number, logger: Logger): Promise<ParallelAccept> {
  const extras: NetServer[] = [];
  const close = () => {
    for (const extra of extras.splice(0)) extra.close();
  };
  if (handles <= 1) return { handles: 1, close };
  try {
    for (const extra of await duplicates(server, handles - 1)) {
      extra.on('connection', (socket) => server.emit('connection', socket));
      extras.push(extra);
    }
  } catch (error) {
    close();
    logger.warn(
      { err: error },
      'could not open more descriptors of the listening socket: new connections are accepted one per turn of the event loop',
    );
  }
  return { handles: 1 + extras.length, close };
}

/** `count` more descriptors of `server`'s listening socket, each as a listening net.Server of this process. */
async function duplicates(server: Server, count: number): Promise<NetServer[]> {
  const helper = spawn(process.execPath, ['-e', ECHO_HANDLES], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    // Nothing of the server's environment (NODE_OPTIONS, secrets) reaches it.
    env: {},
  });
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    helper.once('error', reject);
    void exited.then(() => reject(new Error('the helper process ended early')));
  });
  failed.catch(() => {});
  const got: NetServer[] = [];
  const timer = setTimeout(() => helper.kill(), HELPER_TIMEOUT_MS);
  try {
    for (let i = 0; i < count; i += 1) {
      const back = new Promise<NetServer>((resolve) =>
        helper.once('message', (_, handle) => resolve(handle as NetServer)),
      );
      helper.send('handle', server);
      got.push(await Promise.race([back, failed]));
    }
    return got;
  } catch (error) {
    for (const extra of got) extra.close();
    throw error;
  } finally {
    if (helper.connected) helper.disconnect();
    // Until it has exited, its own copies of the descriptor keep the socket listening.
    await Promise.race([exited, failed.catch(() => {})]);
    clearTimeout(timer);
  }
}
