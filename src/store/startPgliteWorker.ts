import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { PGLITE_THREAD_SOURCE } from './pgliteThreadSource.js';
import { removeStaleSocketFolders } from './removeStaleSocketFolders.js';
import { restartDelay } from './restartDelay.js';

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
   * restart under way is called off, and a thread it was starting is ended.
   */
  close(): Promise<void>;
  /**
   * How many times the serving thread's database has synced a file to the disk (a commit syncs its WAL once): 0 for
   * a database in memory. Counted from that thread's start.
   */
  fileSyncs(): Promise<number>;
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
  /** Told when a new thread starts opening the database after one ended. */
  readonly onRestarting?: () => void;
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
/** Names the host, so that a temporary folder shared between hosts is swept only of this host's own folders. */
const SOCKET_FOLDER_PREFIX = `bvg-pglite-${createHash('sha256').update(hostname()).digest('hex').slice(0, 8)}-`;

/** What a thread that started says, and why one that did not, did not. */
type ThreadMessage = { ready?: true; failed?: string; closed?: true; fileSyncs?: { id: number; count: number } };

/** A thread, from the moment it is created; `ready` rejects (and the thread is ended) if it could not start. */
interface Thread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  /** Settles when the thread has ended, however it ended. */
  readonly exited: Promise<void>;
}

function spawnThread(workerData: Record<string, unknown>): Thread {
  const worker = new Worker(PGLITE_THREAD_SOURCE, { eval: true, workerData });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.ready) resolve();
      else if (message.failed !== undefined) reject(new Error(message.failed));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PGlite thread ended (exit code ${code})`)));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return { worker, ready, exited };
}

/**
 * Starts PGlite in a worker thread. On the main thread PGlite's WebAssembly was about half of the API's busy
 * time at 100 requests/s, run between the requests' own work; in a thread of its own it runs beside them, and the
 * main thread only speaks the wire protocol, through node-postgres and Prisma's pg adapter as on PostgreSQL.
 *
 * A thread that ends without being asked to (PGlite failing, or a session it could not trust) is started again on
 * the same folder, socket and token, so the pool's next connection finds it; PostgreSQL's own recovery replays what
 * was committed. Until then statements fail as the database being down (SERVICE_UNAVAILABLE). How long a restart
 * waits is restartDelay's rule (0.5 s, doubling while threads keep failing, at most 30 s). A database in memory is
 * not started again (a new one would be empty); nor is a folder that no longer holds its database, where PGlite would
 * make a new, empty one: that counts as a failed start, and the next try comes later.
 */
export async function startPgliteWorker(options: PgliteWorkerOptions): Promise<PgliteWorker> {
  const require = createRequire(import.meta.url);
  // mkdtemp makes the folder 0700, so only this user may reach the socket; the token keeps this user's other
  // processes from taking the session over by mistake (they could open the database's files anyway).
  const base = resolvePath(tmpdir());
  // mkdtemp adds 7 characters to the prefix.
  const fits = Buffer.byteLength(join(base, `${SOCKET_FOLDER_PREFIX}XXXXXX`, SOCKET_NAME)) <= MAX_SOCKET_PATH_BYTES;
  const socketBase = fits ? base : '/tmp';
  // Folders of servers that were killed before they could remove theirs would otherwise pile up in /tmp.
  await removeStaleSocketFolders(socketBase, SOCKET_FOLDER_PREFIX, SOCKET_NAME);
  const socketDir = await mkdtemp(join(socketBase, SOCKET_FOLDER_PREFIX));
  const workerData = {
    pglite: require.resolve('@electric-sql/pglite'),
    pgTrgm: require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
    pgliteNodefs: require.resolve('@electric-sql/pglite/nodefs'),
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
    // A thread that ends itself (a file it could not sync) says why first.
    current.worker.on('message', (message: ThreadMessage) => {
      if (message.failed !== undefined) why ??= message.failed;
    });
    current.worker.once('exit', (code) => {
      if (closing) return;
      why ??= `exit code ${code}`;
      if (options.dataDir === undefined) {
        options.onUnexpectedExit(why, undefined);
        return;
      }
      delayMs = restartDelay(delayMs, Date.now() - startedAt);
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
          options.onRestarting?.();
          try {
            pending.starting = spawnThread(workerData);
            await pending.starting.ready;
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
          }
        }
        if (closing) return;
        if (failure !== undefined) {
          delayMs = restartDelay(delayMs);
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
          // A thread still opening PGlite may never finish (a stuck disk): it is ended, as a crash would end it.
          await restart.starting?.worker.terminate();
          await restart.done;
        }
        await rm(socketDir, { recursive: true, force: true });
      })();
      return closed;
    },
    fileSyncs: () => askFileSyncs(thread),
  };
}

let fileSyncsAsked = 0;

/** The thread's count of file syncs (see PgliteWorker.fileSyncs), answered to this call's own id. */
function askFileSyncs({ worker, exited }: Thread): Promise<number> {
  const id = (fileSyncsAsked += 1);
  let onMessage: (message: ThreadMessage) => void = () => {};
  const answered = new Promise<number>((resolve) => {
    onMessage = (message) => {
      if (message.fileSyncs?.id === id) resolve(message.fileSyncs.count);
    };
    worker.on('message', onMessage);
  });
  worker.postMessage({ fileSyncs: id });
  const ended = exited.then(() => Promise.reject(new Error('the PGlite thread ended')));
  return Promise.race([answered, ended]).finally(() => worker.off('message', onMessage));
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
