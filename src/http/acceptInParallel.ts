import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from 'pino';

/** The most a helper process may take to hand the descriptors back before the server goes on with what it has. */
const HELPER_TIMEOUT_MS = 5_000;

/**
 * Sends every handle it is given straight back, then exits once the server lets go of it. Passing a handle over IPC
 * gives the receiver a new descriptor of the same socket (SCM_RIGHTS): Node has no dup() of its own. The handle
 * travels as the raw TCP handle, which neither side listens on until the server wraps it, so the helper never accepts
 * a connection itself. Plain JavaScript run with `-e`, as the PGlite thread's code, so it runs the same under the
 * TypeScript test loader and from dist.
 */
const ECHO_HANDLES = `
process.on('message', (message, handle) => process.send(message, handle, () => handle.close()));
process.on('disconnect', () => process.exit(0));
`;

export interface ParallelAccept {
  /** Descriptors accepting for the server, its own included: 1 when the others could not be had. */
  readonly handles: number;
  /** Connections the other descriptors accepted and handed to the server, so far. */
  readonly accepted: number;
  /** Stops the other descriptors accepting (the server's own closes with the server). */
  close(): void;
  /**
   * Waits up to `graceMs` for the connections the other descriptors handed over to close, then destroys the rest.
   * Node's `server.close()` waits only for the connections of the server's own descriptor, so after it those are
   * the ones a stop must still see to.
   */
  closeConnections(graceMs: number): Promise<void>;
}

/**
 * Makes a listening HTTP server accept up to `handles` new connections per turn of the event loop instead of one.
 * Since libuv 1.45 a server accepts a single connection each time the loop polls its descriptor (libuv#3696), and a
 * turn of a busy process lasts tens of milliseconds, so a burst of new connections (a load balancer widening its
 * pool, clients coming back after a restart) waited in the kernel's accept queue for seconds, unseen by any bound of
 * this server, while requests on open connections went ahead. Each other descriptor of the same socket is polled on
 * its own and accepts one more per turn; what it accepts goes to `server` as its own connections do ('connection',
 * with the socket options an HTTP server gives its own), so every limit and timeout of the server applies to it. The
 * descriptors come from a short-lived helper process (see ECHO_HANDLES); Node 22's `reusePort` would do without one.
 * If the helper cannot be had, the server goes on accepting through its own descriptor alone, and says so.
 */
export async function acceptInParallel(server: Server, handles: number, logger: Logger): Promise<ParallelAccept> {
  const extras: NetServer[] = [];
  const open = new Set<Socket>();
  let accepted = 0;
  const take = (handle: unknown) => {
    // As http.Server makes its own: Nagle off, and half-open sockets left to the HTTP code to end.
    const extra = new NetServer({ allowHalfOpen: true, noDelay: true });
    // Before it listens, so that nothing it accepts goes unseen.
    extra.on('connection', (socket: Socket) => {
      accepted += 1;
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      server.emit('connection', socket);
    });
    extra.listen(handle);
    extras.push(extra);
  };
  const parallel: ParallelAccept = {
    get handles() {
      return 1 + extras.length;
    },
    get accepted() {
      return accepted;
    },
    close() {
      for (const extra of extras.splice(0)) extra.close();
    },
    async closeConnections(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        // Not events.once: it rejects on an 'error', and every socket ends with 'close' anyway.
        Promise.all([...open].map((socket) => new Promise((resolve) => socket.once('close', resolve)))),
        new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      for (const socket of open) socket.destroy();
    },
  };
  if (handles <= 1) return parallel;
  try {
    await duplicates(server, handles - 1, take);
  } catch (error) {
    logger.warn(
      { err: error, handles: parallel.handles },
      'could not open all the descriptors of the listening socket asked for (HTTP_ACCEPT_HANDLES): new connections are accepted through those there are',
    );
  }
  return parallel;
}

/** `count` more descriptors of `server`'s listening socket, each given to `take` as a raw TCP handle. */
async function duplicates(server: Server, count: number, take: (handle: unknown) => void): Promise<void> {
  // The raw handle, not the net.Server: a net.Server arrives listening, and the helper would accept on it.
  const own = (server as unknown as { _handle: object | null })._handle;
  if (own === null) throw new Error('the server is not listening');
  const helper = spawn(process.execPath, ['--input-type=commonjs', '-e', ECHO_HANDLES], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    // Nothing of the server's environment (NODE_OPTIONS, secrets) reaches it.
    env: {},
  });
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    helper.on('error', reject);
    void exited.then(() => reject(new Error('the helper process ended early')));
  });
  failed.catch(() => {});
  const timer = setTimeout(() => helper.kill(), HELPER_TIMEOUT_MS);
  try {
    for (let i = 0; i < count; i += 1) {
      const back = new Promise<void>((resolve) =>
        helper.once('message', (_, handle) => {
          take(handle);
          resolve();
        }),
      );
      helper.send('handle', own as Parameters<typeof helper.send>[1]);
      await Promise.race([back, failed]);
    }
  } finally {
    if (helper.connected) helper.disconnect();
    // Until it has exited, its own copies of the descriptor keep the socket listening.
    await Promise.race([exited, failed.catch(() => {})]);
    clearTimeout(timer);
  }
}
