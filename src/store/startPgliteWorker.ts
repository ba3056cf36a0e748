import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

/** PGlite in a worker thread, reached as a PostgreSQL server on a Unix socket only this process's user can open. */
export interface PgliteWorker {
  /**
   * node-postgres's connection settings: `host` is the folder that holds the socket `.s.PGSQL.<port>`, and
   * `application_name` the token without which the thread refuses a connection.
   */
  readonly connection: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly database: string;
    readonly application_name: string;
  };
  /**
   * Closes the database (PGlite writes what it holds) and ends the thread; a thread that does not, is ended. A
   * restart under way is waited for and undone.
   */
  close(): Promise<void>;
}

export interface PgliteWorkerOptions {
  /** The folder of the database; undefined keeps it in memory. */
  readonly dataDir: string | undefined;
  /** Postgres settings beyond PGlite's defaults. */
  readonly startParams: readonly string[];
  /**
   * Told when the thread ends without being asked to (PGlite aborted): statements fail until a new one runs, which
   * starts after `restartInMs` (undefined: never, for a database in memory).
   */
  readonly onUnexpectedExit: (why: string, restartInMs: number | undefined) => void;
  /** Told when a new thread took over after one ended. */
  readonly onRestarted?: () => void;
  /** Told when a new thread could not start; the next try is after `retryInMs`. */
  readonly onRestartFailed?: (why: string, retryInMs: number) => void;
}

const PORT = 5432;
/** How long close() waits for PGlite to close before the thread is ended anyway (a statement stuck in WebAssembly). */
const CLOSE_TIMEOUT_MS = 5_000;
/** The longest Unix socket path every platform takes (Linux 107 bytes, macOS 103); a longer one goes in /tmp. */
const MAX_SOCKET_PATH_BYTES = 103;
const SOCKET_NAME = `.s.PGSQL.${PORT}`;

/**
 * The thread's code. It is plain JavaScript given to the Worker as text (as createPgliteFolder gives its child
 * process), because the sources also run untranspiled-to-disk under vitest and the test loader, where a worker
 * file of TypeScript could not be loaded; the modules it needs come as resolved paths.
 *
 * It serves one connection at a time, which is all PGlite has: the main thread's pool holds one. A new connection
 * that gives the token (the pool's next one, after an error closed the last) ends the old one, and each connection starts with the
 * session reset (transaction rolled back, prepared statements and advisory locks dropped), as a new PostgreSQL
 * backend would. Only messages a client may send reach PGlite: anything else could end its one backend.
 * Every complete message a read brought is handed to PGlite in one call, so a statement that node-postgres wrote
 * corked (Parse, Bind, Describe, Execute, Sync) crosses into WebAssembly once.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { PGlite } = require(workerData.pglite);
const { pg_trgm } = require(workerData.pgTrgm);

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = 196608;
// PostgreSQL's own bound on a start-up packet.
const MAX_STARTUP_BYTES = 10000;
const MAX_MESSAGE_BYTES = 1 << 30;
// What node-postgres sends after start-up (no COPY, no function calls): anything else could end PGlite's one
// backend (FATAL) and is refused.
const CLIENT_MESSAGE_TYPES = new Set([...'PBDESHCQX'].map((c) => c.charCodeAt(0)));
const TERMINATE = 0x58;

function simpleQuery(sql) {
  const text = Buffer.from(sql + '\\0');
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51;
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const ROLLBACK = simpleQuery('ROLLBACK');
const DISCARD_ALL = simpleQuery('DISCARD ALL');

/** The start-up packet's parameters (name, value pairs after the protocol version). */
function startupParameters(packet) {
  const fields = packet.subarray(8).toString('utf8').split('\\0');
  const parameters = new Map();
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) parameters.set(fields[i], fields[i + 1]);
  return parameters;
}

/** PGlite failing, or a session nobody can trust: the thread ends, and the server says why. */
class Fatal extends Error {}

/** True when an answer ends with ReadyForQuery, as every answer to a Sync, a Query or a start-up must. */
function endsReady(answer) {
  return answer.length >= 6 && answer[answer.length - 6] === 0x5a;
}

/** True when a run of backend messages holds an ErrorResponse. */
function holdsError(answer) {
  for (let at = 0; at + 5 <= answer.length; at += 1 + answer.readInt32BE(at + 1)) {
    if (answer[at] === 0x45) return true;
  }
  return false;
}

async function main() {
  const options = { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, ...workerData.startParams] };
  const db = workerData.dataDir === undefined ? new PGlite(options) : new PGlite(workerData.dataDir, options);
  await db.waitReady;

  // PGlite's execProtocolRawSync, left to itself, also parses every answer into a list it never empties; with a
  // callback of our own it only hands the bytes over, which are views of its memory and are copied at once. Without
  // syncToFs the stream call runs to its end synchronously. What it throws (PGlite itself failing; a statement's
  // error is an answer, not a throw) comes as a rejection, too late for the caller: the rejection ends the thread,
  // and callers that expect ReadyForQuery check for it (endsReady) so that a failed call is not answered meanwhile.
  function run(messages) {
    const parts = [];
    db.execProtocolRawStream(messages, {
      syncToFs: false,
      onRawData: (chunk) => parts.push(Buffer.from(chunk)),
    }).catch((error) => setImmediate(() => {
      throw error;
    }));
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  // A connection may have gone mid-statement: a Sync ends an extended-protocol exchange an error left waiting for
  // one, then what the session held goes, as for a new PostgreSQL backend. A reset that fails leaves a session
  // nobody can trust, so the thread ends (the server then answers SERVICE_UNAVAILABLE and says why).
  function resetSession() {
    // A batch cut after its Execute, before its Sync, is in an implicit transaction: roll it back, not commit it.
    run(ROLLBACK);
    if (!endsReady(run(SYNC))) throw new Fatal('PGlite did not answer a Sync');
    if (db.isInTransaction()) run(ROLLBACK);
    if (holdsError(run(DISCARD_ALL))) throw new Fatal('could not reset the PGlite session');
  }

  let current = null;
  let closing = false;
  const server = net.createServer((socket) => {
    let chunks = [];
    let buffered = 0;
    let pending = Buffer.alloc(0);
    let started = false;

    function take(length) {
      const message = pending.subarray(0, length);
      pending = pending.subarray(length);
      return message;
    }

    function startUp() {
      while (!started) {
        if (pending.length < 4) return false;
        const length = pending.readInt32BE(0);
        if (length < 8 || length > MAX_STARTUP_BYTES) throw new Error('bad start-up packet');
        if (pending.length < length) return false;
        const code = pending.readInt32BE(4);
        const packet = take(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write('N');
        } else if (code === PROTOCOL_3 && startupParameters(packet).get('application_name') === workerData.token) {
          // Only the server's own pool may take the session over (its next connection, after an error closed one).
          if (current !== null && current !== socket) {
            const previous = current;
            current = null;
            previous.destroy();
          }
          resetSession();
          current = socket;
          started = true;
          const answer = run(packet);
          if (!endsReady(answer)) throw new Fatal('PGlite did not answer a start-up packet');
          socket.write(answer);
        } else {
          throw new Error('refused start-up packet');
        }
      }
      return true;
    }

    function serve() {
      if (!startUp()) return;
      let end = 0;
      let lastType = 0;
      let terminate = false;
      while (pending.length - end >= 5) {
        const type = pending[end];
        if (type === TERMINATE) {
          terminate = true;
          break;
        }
        if (!CLIENT_MESSAGE_TYPES.has(type)) throw new Error('unexpected message type');
        const length = pending.readInt32BE(end + 1);
        if (length < 4 || length > MAX_MESSAGE_BYTES) throw new Error('bad message length');
        if (pending.length - end < 1 + length) break;
        end += 1 + length;
        lastType = type;
      }
      if (end > 0) {
        const answer = run(take(end));
        if ((lastType === 0x53 || lastType === 0x51) && !endsReady(answer)) throw new Fatal('PGlite did not answer');
        if (answer.length > 0) socket.write(answer);
      }
      if (terminate) {
        pending = Buffer.alloc(0);
        socket.destroy();
      }
    }

    /** Bytes the next message needs before it can be served (avoids copying a large one at every read). */
    function needed() {
      if (!started) {
        if (pending.length < 4) return 8;
        const length = pending.readInt32BE(0);
        // A length out of bounds is refused now, not waited for.
        return length < 8 || length > MAX_STARTUP_BYTES ? 0 : length;
      }
      return pending.length >= 5 ? 1 + pending.readInt32BE(1) : 5;
    }

    socket.on('data', (chunk) => {
      chunks.push(chunk);
      buffered += chunk.length;
      if (pending.length + buffered < needed() && pending.length >= 5) return;
      pending = Buffer.concat([pending, ...chunks]);
      chunks = [];
      buffered = 0;
      try {
        serve();
      } catch (error) {
        socket.destroy();
        if (current === socket) current = null;
        if (error instanceof Fatal) throw error;
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (current !== socket || closing) return;
      current = null;
      resetSession();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(workerData.socketPath, resolve);
  });
  parentPort.on('message', async (message) => {
    if (message !== 'close') return;
    closing = true;
    server.close();
    if (current !== null) current.destroy();
    await db.close();
    parentPort.postMessage({ closed: true });
    parentPort.close();
  });
  parentPort.postMessage({ ready: true });
}

main().catch((error) => {
  parentPort.postMessage({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
`;

/** What a thread that started says, and why one that did not, did not. */
type ThreadMessage = { ready?: true; failed?: string; closed?: true };

/** The first wait before a thread that ended is started again; each end soon after a start doubles it. */
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** A thread that served this long ended for a reason of its own, not a crash loop: the wait starts over. */
const STABLE_AFTER_MS = 60_000;

/** A thread, from the moment it is created; `ready` rejects (and the thread is ended) if it could not start. */
interface Thread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  /** True once `ready` has resolved. */
  readonly isReady: () => boolean;
  /** Settles when the thread has ended, however it ended. */
  readonly exited: Promise<void>;
}

function spawnThread(workerData: Record<string, unknown>): Thread {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.ready) {
        isReady = true;
        resolve();
      } else if (message.failed !== undefined) reject(new Error(message.failed));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PGlite thread ended (exit code ${code})`)));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return { worker, ready, isReady: () => isReady, exited };
}

/**
 * Starts PGlite in a worker thread. On the main thread PGlite's WebAssembly was about half of the API's busy
 * time at 100 requests/s, run between the requests' own work; in a thread of its own it runs beside them, and the
 * main thread only speaks the wire protocol, through node-postgres and Prisma's pg adapter as on PostgreSQL.
 *
 * A thread that ends without being asked to (PGlite failing, or a session it could not trust) is started again on
 * the same folder, socket and token, so the pool's next connection finds it; PostgreSQL's own recovery replays what
 * was committed. Until then statements fail as the database being down (SERVICE_UNAVAILABLE). The first restart
 * waits 0.5 s, and each end within a minute of a start doubles the wait (at most 30 s), so a thread that keeps
 * failing does not spin. Not restarted: a database in memory (a new one would be empty), and a folder that no longer
 * holds a database (PGlite would make a new, empty one there), which is tried again later.
 */
export async function startPgliteWorker(options: PgliteWorkerOptions): Promise<PgliteWorker> {
  const require = createRequire(import.meta.url);
  // mkdtemp makes the folder 0700, so only this user may reach the socket; the token keeps this user's other
  // processes from taking the session over by mistake (they could open the database's files anyway).
  const base = resolvePath(tmpdir());
  // mkdtemp adds 7 characters to the prefix.
  const fits = Buffer.byteLength(join(base, 'bvg-pglite-XXXXXX', SOCKET_NAME)) <= MAX_SOCKET_PATH_BYTES;
  const socketDir = await mkdtemp(join(fits ? base : '/tmp', 'bvg-pglite-'));
  const workerData = {
    pglite: require.resolve('@electric-sql/pglite'),
    pgTrgm: require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
    dataDir: options.dataDir,
    startParams: options.startParams,
    socketPath: join(socketDir, SOCKET_NAME),
    token: `bvg-${randomBytes(16).toString('hex')}`,
  };
  let thread = spawnThread(workerData);
  try {
    await thread.ready;
  } catch (error) {
    await rm(socketDir, { recursive: true, force: true });
    throw error;
  }

  let closing = false;
  /** Set while no thread serves: the wait before the next start, then the start itself. */
  let restart: { timer?: NodeJS.Timeout; starting?: Thread; done?: Promise<void> } | undefined;
  let delayMs = 0;

  function watch(current: Thread) {
    const startedAt = Date.now();
    // An uncaught error in the thread is told ('error'), then its end ('exit'): say it once, with the error.
    let why: string | undefined;
    current.worker.on('error', (error) => (why ??= error.message));
    current.worker.once('exit', (code) => {
      if (closing) return;
      why ??= `exit code ${code}`;
      if (options.dataDir === undefined) {
        options.onUnexpectedExit(why, undefined);
        return;
      }
      delayMs = Date.now() - startedAt >= STABLE_AFTER_MS ? FIRST_RESTART_DELAY_MS : nextDelay(delayMs);
      scheduleRestart(options.dataDir);
      options.onUnexpectedExit(why, delayMs);
    });
  }

  function scheduleRestart(dataDir: string) {
    const pending: NonNullable<typeof restart> = {};
    restart = pending;
    pending.timer = setTimeout(() => {
      pending.done = (async () => {
        let failure: string | undefined;
        // A folder without its database (moved, deleted, another disk not mounted) would become a new, empty one.
        if (!existsSync(join(dataDir, 'PG_VERSION'))) failure = `${dataDir} holds no database`;
        else {
          pending.starting = spawnThread(workerData);
          try {
            await pending.starting.ready;
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
          }
        }
        if (closing) return;
        if (failure !== undefined) {
          delayMs = nextDelay(delayMs);
          scheduleRestart(dataDir);
          options.onRestartFailed?.(failure, delayMs);
          return;
        }
        thread = pending.starting!;
        restart = undefined;
        watch(thread);
        options.onRestarted?.();
      })();
    }, delayMs);
  }

  watch(thread);
  let closed: Promise<void> | undefined;
  return {
    connection: {
      host: socketDir,
      port: PORT,
      user: 'postgres',
      database: 'postgres',
      application_name: workerData.token,
    },
    close() {
      closed ??= (async () => {
        closing = true;
        if (restart === undefined) await closeThread(thread);
        else {
          clearTimeout(restart.timer);
          const { starting } = restart;
          // A thread still opening PGlite may never finish (a stuck disk): it is ended, as a crash would end it.
          if (starting?.isReady() === true) await closeThread(starting);
          else if (starting !== undefined) await starting.worker.terminate();
          await restart.done;
        }
        await rm(socketDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

function nextDelay(previousMs: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, previousMs === 0 ? FIRST_RESTART_DELAY_MS : previousMs * 2);
}

/** Asks the thread to close PGlite (which writes what it holds); ends it anyway after CLOSE_TIMEOUT_MS. */
async function closeThread({ worker, exited }: Thread): Promise<void> {
  const done = new Promise<void>((resolve) =>
    worker.on('message', (message: ThreadMessage) => {
      if (message.closed) resolve();
    }),
  );
  worker.postMessage('close');
  // Unref'd: the wait must not keep a stopping process alive once the thread is gone.
  await Promise.race([done, exited, sleep(CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
  await worker.terminate();
}
