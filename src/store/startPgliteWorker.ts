import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** PGlite in a worker thread, reached as a PostgreSQL server on a Unix socket only this process's user can open. */
export interface PgliteWorker {
  /** node-postgres's `host` for a Unix socket: the folder that holds `.s.PGSQL.<port>`. */
  readonly socketDir: string;
  readonly port: number;
  /** Closes the database (PGlite writes what it holds) and ends the thread. */
  close(): Promise<void>;
}

export interface PgliteWorkerOptions {
  /** The folder of the database; undefined keeps it in memory. */
  readonly dataDir: string | undefined;
  /** Postgres settings beyond PGlite's defaults. */
  readonly startParams: readonly string[];
  /** Told when the thread ends without being asked to (PGlite aborted): every statement fails from then on. */
  readonly onUnexpectedExit: (why: string) => void;
}

const PORT = 5432;

/**
 * The thread's code. It is plain JavaScript given to the Worker as text (as createPgliteFolder gives its child
 * process), because the sources also run untranspiled-to-disk under vitest and the test loader, where a worker
 * file of TypeScript could not be loaded; the modules it needs come as resolved paths.
 *
 * It serves one connection at a time, which is all PGlite has: the main thread's pool holds one. A new connection
 * (the pool replaced one it gave up on) ends the old one, and each connection starts with the session reset
 * (transaction rolled back, prepared statements and advisory locks dropped), as a new PostgreSQL backend would.
 * Every complete message a read brought is handed to PGlite in one call, so a statement that node-postgres wrote
 * corked (Parse, Bind, Describe, Execute, Sync) crosses into WebAssembly once.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { PGlite } = require(workerData.pglite);
const { pg_trgm } = require(workerData.pgTrgm);

const SSL_REQUEST = 80877103;
const TERMINATE = 0x58;
const MAX_MESSAGE_BYTES = 1 << 30;

function simpleQuery(sql) {
  const text = Buffer.from(sql + '\\0');
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51;
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
const RESET = simpleQuery('DISCARD ALL');
const ROLLBACK = simpleQuery('ROLLBACK');

async function main() {
  const options = { extensions: { pg_trgm }, startParams: [...PGlite.defaultStartParams, ...workerData.startParams] };
  const db = workerData.dataDir === undefined ? new PGlite(options) : new PGlite(workerData.dataDir, options);
  await db.waitReady;

  function resetSession() {
    if (db.isInTransaction()) db.execProtocolRawSync(ROLLBACK);
    db.execProtocolRawSync(RESET);
  }

  let current = null;
  const server = net.createServer((socket) => {
    if (current !== null) current.destroy();
    resetSession();
    current = socket;
    let pending = Buffer.alloc(0);
    let started = false;

    function serve() {
      let offset = 0;
      while (!started) {
        if (pending.length - offset < 8) return offset;
        const length = pending.readInt32BE(offset);
        if (length < 8 || length > MAX_MESSAGE_BYTES) throw new Error('bad start-up message');
        if (pending.length - offset < length) return offset;
        const message = pending.subarray(offset, offset + length);
        offset += length;
        if (pending.readInt32BE(offset - length + 4) === SSL_REQUEST) {
          socket.write('N');
          continue;
        }
        started = true;
        socket.write(db.execProtocolRawSync(message));
      }
      let end = offset;
      let terminate = false;
      while (pending.length - end >= 5) {
        if (pending[end] === TERMINATE) {
          terminate = true;
          break;
        }
        const length = pending.readInt32BE(end + 1);
        if (length < 4 || length > MAX_MESSAGE_BYTES) throw new Error('bad message length');
        if (pending.length - end < 1 + length) break;
        end += 1 + length;
      }
      if (end > offset) {
        const answer = db.execProtocolRawSync(pending.subarray(offset, end));
        if (answer.length > 0) socket.write(answer);
      }
      if (terminate) socket.end();
      return end;
    }

    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      try {
        const used = serve();
        pending = used === pending.length ? Buffer.alloc(0) : pending.subarray(used);
      } catch (error) {
        socket.destroy(error);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (current !== socket) return;
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

/**
 * Starts PGlite in a worker thread. On the main thread PGlite's WebAssembly was about half of the API's busy
 * time at 100 requests/s, run between the requests' own work; in a thread of its own it runs beside them, and the
 * main thread only speaks the wire protocol, through node-postgres and Prisma's pg adapter as on PostgreSQL.
 */
export async function startPgliteWorker(options: PgliteWorkerOptions): Promise<PgliteWorker> {
  const require = createRequire(import.meta.url);
  // mkdtemp makes the folder 0700: the socket takes no password, so only this user may reach it.
  const socketDir = await mkdtemp(join(tmpdir(), 'bvg-pglite-'));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pglite: require.resolve('@electric-sql/pglite'),
      pgTrgm: require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
      dataDir: options.dataDir,
      startParams: options.startParams,
      socketPath: join(socketDir, `.s.PGSQL.${PORT}`),
    },
  });
  let closing = false;
  let closed: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { ready?: true; failed?: string; closed?: true }) => {
        if (message.ready) resolve();
        else if (message.failed !== undefined) reject(new Error(message.failed));
        else if (message.closed) closed?.();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the PGlite thread ended (exit code ${code})`)));
    });
  } catch (error) {
    await worker.terminate();
    await rm(socketDir, { recursive: true, force: true });
    throw error;
  }
  worker.on('error', (error) => {
    if (!closing) options.onUnexpectedExit(error.message);
  });
  worker.once('exit', (code) => {
    if (!closing) options.onUnexpectedExit(`exit code ${code}`);
  });
  return {
    socketDir,
    port: PORT,
    async close() {
      if (closing) return exited;
      closing = true;
      const done = new Promise<void>((resolve) => (closed = resolve));
      worker.postMessage('close');
      await Promise.race([done, exited]);
      await worker.terminate();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}
