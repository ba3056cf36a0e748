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
export const PGLITE_THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const fs = require('node:fs');
const { PGlite } = require(workerData.pglite);
const { NodeFS } = require(workerData.pgliteNodefs);
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

/**
 * PGlite starts Postgres with fsync off (-F), and its Node file system passes no fsync on to the operating system
 * (electric-sql/pglite#1107): a commit reached the disk only when the kernel chose to write it back, and a power
 * cut could lose it or leave a folder Postgres cannot trust. On a folder, Postgres's fsync is turned on again, with
 * fsync() for the WAL (fdatasync() does nothing in PGlite's runtime, fsync() asks the file system), and the file
 * system gets the operation it lacks. A commit then returns once its WAL is on the disk, and a checkpoint syncs the
 * pages it wrote before the WAL they need goes, as on a PostgreSQL server.
 */
const DURABLE_START_PARAMS = ['-c', 'fsync=on', '-c', 'wal_sync_method=fsync'];
let fileSyncs = 0;

class DurableNodeFS extends NodeFS {
  async init(pg, emscriptenOptions) {
    const base = await super.init(pg, emscriptenOptions);
    const addSync = (mod) => {
      const NODEFS = mod.NODEFS;
      NODEFS.stream_ops.fsync = (stream) => {
        try {
          // NODEFS opens every node it streams, directories included, with a descriptor of its own.
          fs.fsyncSync(stream.nfd);
        } catch (error) {
          // Some file systems cannot sync a directory (some FUSE, 9p and network mounts): Postgres lets that pass
          // (fsync_fname_ext), so it gets the errno, as from a real fsync().
          const code = error?.code;
          if (mod.FS.isDir(stream.node.mode) && (code === 'EINVAL' || code === 'EBADF')) {
            throw new mod.FS.ErrnoError(NODEFS.convertNodeCode(error));
          }
          // A failed sync may have lost what the kernel held: Postgres would PANIC and recover from its WAL, but
          // PGlite swallows the abort that a PANIC becomes and carries on with a backend mid-commit. The thread
          // ends instead (only the thread: this is a worker), and the server starts a new one, whose recovery
          // replays what was committed.
          parentPort.postMessage({ failed: \`could not sync a file of the database to the disk: \${error?.message ?? error}\` });
          process.exit(1);
        }
        fileSyncs += 1;
        return 0;
      };
    };
    const opts = base.emscriptenOpts;
    return { ...base, emscriptenOpts: { ...opts, preRun: [...(opts.preRun ?? []), addSync] } };
  }
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
  const startParams = [...PGlite.defaultStartParams, ...workerData.startParams];
  const db =
    workerData.dataDir === undefined
      ? new PGlite({ extensions: { pg_trgm }, startParams })
      : new PGlite({
          extensions: { pg_trgm },
          fs: new DurableNodeFS(workerData.dataDir),
          startParams: [...startParams, ...DURABLE_START_PARAMS],
        });
  await db.waitReady;

  // PGlite's execProtocolRawSync, left to itself, also parses every answer into a list it never empties; with a
  // callback of our own it only hands the bytes over, which are views of its memory and are copied at once. Without
  // syncToFs the stream call runs to its end synchronously. PGlite 0.5.16 swallows what Postgres's main loop throws
  // (it acts only on its own longjmp) and goes on with the batch, so such a failure need not show here at all;
  // that is why a failed sync ends the thread itself (DurableNodeFS). Callers that expect ReadyForQuery check for
  // it (endsReady), which catches an answer cut short. What escapes PGlite (its flush failing; a statement's error
  // is an answer, not a throw) comes as a rejection, too late for the caller, and the rejection ends the thread.
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
    if (typeof message?.fileSyncs === 'number') {
      parentPort.postMessage({ fileSyncs: { id: message.fileSyncs, count: fileSyncs } });
      return;
    }
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
