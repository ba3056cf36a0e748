import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config.js';
import { syncFolder } from './syncFolder.js';
import { syncTree } from './syncTree.js';

/**
 * `<folder>/.creating-<random>`: where a creation writes. Inside the folder, so that moving its files in never
 * crosses file systems (the folder may be a mount point: a container volume).
 */
const STAGING = '.creating-';

/**
 * `<folder>/.complete-<random>`: a staging whose database is whole and on the disk, being moved in. A start that
 * finds one (the last was cut off among its moves) finishes the moves instead of refusing the folder's files.
 */
const COMPLETE = '.complete-';

/** A new file system's own folder, which a mount point holds: not a sign of anything written there. */
const LOST_AND_FOUND = 'lost+found';

/** Lines of the child's error output a refusal quotes: Postgres's last words and the child's message, which ends it. */
const QUOTED_LINES = 4;

/**
 * The child's program, run as `node --input-type=commonjs -e` so that it is the same from the compiled server and
 * from the test runner's TypeScript. PGlite finds no PG_VERSION in the folder and runs initdb there; close() shuts
 * Postgres down with a checkpoint, so the folder is complete when the child exits 0.
 */
const CREATE_IN_CHILD = `
const { inspect } = require('node:util');
// The server holds the other end of stdin. When it dies, stdin ends and this stops, instead of
// writing on alone into a folder that the next server will find abandoned and remove.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
const [pglite, dataDir, startParams] = process.argv.slice(1);
const { PGlite } = require(pglite);
const db = new PGlite(dataDir, { startParams: [...PGlite.defaultStartParams, ...JSON.parse(startParams)] });
db.waitReady
  .then(() => db.close())
  .then(
    () => process.exit(0),
    (error) => {
      console.error(error instanceof Error ? error.message : inspect(error));
      process.exit(1);
    },
  );
`;

/**
 * Creates the PGlite database of a folder that has none yet (no PG_VERSION), in a child process; a folder that
 * already holds one is left for PGlite to open as it is. The caller holds the folder's lock (lockPgliteFolder).
 *
 * Why a child: PGlite runs initdb in a second WebAssembly instance, and the process keeps that memory for its
 * whole life. Measured with the server on a new folder: 845 MB at the peak and 429 MB idle, against 302 MB (peak
 * and idle) for the same server opening the folder once it exists. With the database made in a child, every start
 * of the server, the first included, is the second kind.
 *
 * The child writes into a folder of its own inside the target, and its files are moved in only once it has
 * finished, PG_VERSION last: a creation cut short (the server killed, the disk full) never leaves a folder that
 * looks like a database but is not one. Cut short before the database was whole, it leaves only its staging, which
 * the next creation removes; cut short among the moves, it leaves the rest marked complete, which the next start
 * moves in. A server killed mid-creation also ends its child, through the child's stdin.
 *
 * The same holds through a power cut, because every step reaches the disk before the next: PGlite's initdb syncs
 * nothing (it runs with fsync off, electric-sql/pglite#1107), so the staged tree is synced, then marked complete
 * (renamed `.complete-`, the folder synced), then moved in; the folder is synced after the moves and before
 * PG_VERSION's, and again after it, with its parent. A start cut off among the moves finds the mark and finishes
 * them. Without the syncs, the first minute's commits, which the server syncs, could sit on catalog files that
 * never reached the disk. Measured on a new folder here: 971 files, 0.17–0.20 s of syncs.
 *
 * No time limit: initdb takes 2–3 s on a laptop and far longer on an emulated or starved machine, and the
 * supervisor that started the server has a start-up limit of its own.
 *
 * `startParams`: the server's Postgres settings beyond PGlite's defaults, for the child's own start of Postgres.
 */
export async function createPgliteFolder(dataDir: string, startParams: readonly string[]): Promise<void> {
  const entries = await readdir(dataDir);
  const marks = entries.filter((name) => name.startsWith(COMPLETE)).map((name) => join(dataDir, name));
  if (entries.includes('PG_VERSION')) {
    // PG_VERSION moves last, so a mark beside it is empty: a start stopped before removing it.
    for (const mark of marks) await rmdir(mark).catch(() => undefined);
    return;
  }
  for (const mark of marks) {
    const held = await readdir(mark);
    if (held.includes('PG_VERSION')) return moveIn(mark, dataDir);
    if (held.length > 0) {
      throw new ConfigError(
        `The PGlite folder ${dataDir} holds ${mark}, part of a database without its PG_VERSION: move it away or choose another folder`,
      );
    }
    // Empty: its database was moved in, and the folder emptied since (its dot-entries left behind).
    await rmdir(mark);
  }
  const present = entries.filter(
    (name) => !name.startsWith(STAGING) && !name.startsWith(COMPLETE) && name !== LOST_AND_FOUND,
  );
  if (present.length > 0) {
    throw new ConfigError(
      `The PGlite folder ${dataDir} holds files (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}) but no database (no PG_VERSION): empty it or choose another folder`,
    );
  }
  // What creations cut short left. Only the lock's holder creates; a child whose server died may still be writing
  // into its folder for a moment, so removal retries.
  for (const name of entries.filter((n) => n.startsWith(STAGING))) {
    await rm(join(dataDir, name), { recursive: true, force: true, maxRetries: 5 });
  }
  const id = randomBytes(4).toString('hex');
  const staging = join(dataDir, `${STAGING}${id}`);
  try {
    await createInChild(staging, startParams, dataDir);
    await syncTree(staging);
  } catch (error) {
    await rm(staging, { recursive: true, force: true, maxRetries: 5 });
    throw error;
  }
  const ready = join(dataDir, `${COMPLETE}${id}`);
  await rename(staging, ready);
  await syncFolder(dataDir);
  await moveIn(ready, dataDir);
}

/** Moves a complete database's files from `ready` into `dataDir`, PG_VERSION last and each step synced. */
async function moveIn(ready: string, dataDir: string): Promise<void> {
  const entries = await readdir(ready);
  for (const entry of entries.filter((e) => e !== 'PG_VERSION')) {
    await rename(join(ready, entry), join(dataDir, entry));
  }
  await syncFolder(dataDir);
  await rename(join(ready, 'PG_VERSION'), join(dataDir, 'PG_VERSION'));
  await syncFolder(dataDir);
  await syncFolder(dirname(dataDir));
  await rmdir(ready);
}

function createInChild(staging: string, startParams: readonly string[], dataDir: string): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const args = ['--input-type=commonjs', '-e', CREATE_IN_CHILD, pglite, staging, JSON.stringify(startParams)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(refusal(dataDir, error.message, error)));
    child.once('close', (code, signal) => {
      child.stdin.destroy();
      if (code === 0) return resolve();
      const said = stderr.trim().split('\n').slice(-QUOTED_LINES).join('\n');
      const why = signal !== null ? `the creating process was killed by ${signal}` : said || `exit code ${code}`;
      reject(refusal(dataDir, why));
    });
  });
}

const refusal = (dataDir: string, why: string, cause?: unknown) =>
  new ConfigError(`Could not create the PGlite database in ${dataDir}: ${why}`, { cause });
