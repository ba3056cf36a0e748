import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createPgliteFolder } from '../src/store/createPgliteFolder.js';
import { lockPgliteFolder } from '../src/store/lockPgliteFolder.js';
import { openStore } from '../src/store/openStore.js';

const LOADER = fileURLToPath(new URL('./helpers/registerTsLoader.mjs', import.meta.url));
const MODULE = fileURLToPath(new URL('../src/store/createPgliteFolder.ts', import.meta.url));
const quiet = { info: () => {}, warn: () => {} };

/** Runs a creation of `dataDir` in a process of its own under strace, and returns the syscalls it made, in order. */
function straceCreation(dataDir: string, traceFile: string): string[] {
  const creation = spawnSync(
    'strace',
    [
      ...['-f', '-y', '-qq', '-o', traceFile, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2'],
      ...[process.execPath, '--import', LOADER, '--input-type=module', '-e'],
      `import { createPgliteFolder } from ${JSON.stringify(MODULE)}; await createPgliteFolder(process.argv[1], []);`,
      dataDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 90_000 },
  );
  if (creation.status !== 0) throw new Error(`the traced creation failed: ${creation.stderr}`);
  return readFileSync(traceFile, 'utf8').split('\n');
}

const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** Pids of live processes whose command line names `text`. */
function processesNaming(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('creating the PGlite database of a new folder', () => {
  const dirs: string[] = [];
  /** An empty folder inside a temp folder of its own, so what is created beside it can be seen. */
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bvg-create-'));
    dirs.push(dir);
    const dataDir = join(dir, 'pglite');
    mkdirSync(dataDir);
    return dataDir;
  };
  const besides = (dataDir: string) => readdirSync(join(dataDir, '..'));
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a database into an empty folder, which PGlite then opens and queries', async () => {
    const dataDir = folder();
    await createPgliteFolder(dataDir, ['-c', 'shared_buffers=32MB']);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(besides(dataDir)).toEqual(['pglite']);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('.creating-'))).toEqual([]);

    const db = new PGlite(dataDir);
    try {
      expect((await db.query<{ n: number }>('SELECT 1 + 1 AS n')).rows).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('leaves a folder that already holds a database untouched', async () => {
    const dataDir = folder();
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    await createPgliteFolder(dataDir, []);
    expect(readdirSync(dataDir)).toEqual(['PG_VERSION']);
  });

  it('refuses a folder that holds files but no database, naming the folder, and leaves the files alone', async () => {
    const dataDir = folder();
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    await expect(createPgliteFolder(dataDir, [])).rejects.toThrow(
      `The PGlite folder ${dataDir} holds files (notes.txt) but no database (no PG_VERSION)`,
    );
    expect(readdirSync(dataDir)).toEqual(['notes.txt']);
  });

  it('says why when the child cannot create the database', async () => {
    const dataDir = folder();
    // Postgres refuses to start with this setting, after initdb has run.
    await expect(createPgliteFolder(dataDir, ['-c', 'shared_buffers=-1'])).rejects.toThrow(
      `Could not create the PGlite database in ${dataDir}: PGlite failed to initialize properly`,
    );
    expect(readdirSync(dataDir)).toEqual([]);
    expect(besides(dataDir)).toEqual(['pglite']);
  }, 60_000);

  it(
    'leaves no database files in the folder when the server creating it is killed, and the next start creates it',
    { timeout: 120_000 },
    async () => {
      const dataDir = folder();
      const server = spawn(
        process.execPath,
        [
          '--import',
          LOADER,
          '--input-type=module',
          '-e',
          `import { createPgliteFolder } from ${JSON.stringify(MODULE)}; await createPgliteFolder(process.argv[1], []);`,
          dataDir,
        ],
        { stdio: 'ignore' },
      );
      // The child is at work once its folder inside the target exists.
      const staging = await vi.waitFor(
        () => {
          const found = readdirSync(dataDir).find((name) => name.startsWith('.creating-'));
          if (found === undefined) throw new Error('no creation yet');
          return join(dataDir, found);
        },
        { timeout: 30_000, interval: 20 },
      );
      const [child] = processesNaming(staging);
      expect(child).toBeDefined();
      server.kill('SIGKILL');

      // Without its server the child stops, and nothing of it reaches the folder but its own staging.
      await vi.waitFor(() => expect(processesNaming(staging)).toEqual([]), { timeout: 30_000, interval: 50 });
      expect(readdirSync(dataDir).filter((name) => !name.startsWith('.creating-'))).toEqual([]);
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(false);

      await createPgliteFolder(dataDir, []);
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
      expect(readdirSync(dataDir).filter((name) => name.startsWith('.creating-'))).toEqual([]);
      expect(besides(dataDir)).toEqual(['pglite']);
    },
  );

  // A power cut soon after the first start must not leave catalog files that never reached the disk under commits
  // that did: PGlite's initdb syncs nothing, so the creation does. strace sees what reaches the kernel.
  it.skipIf(!hasStrace)(
    'syncs every file of a new database and the folder before PG_VERSION appears, and the folder after',
    { timeout: 120_000 },
    async () => {
      const dataDir = folder();
      const calls = straceCreation(dataDir, join(dataDir, '..', 'trace'));
      /** The path a line's fsync synced, when it did. */
      const syncedPath = (call: string) => /\bfsync\(\d+<(.*)>\) = 0$/.exec(call)?.[1];
      const pgVersionAt = calls.findIndex((call) => call.endsWith(`, "${dataDir}/PG_VERSION") = 0`));
      expect(pgVersionAt).toBeGreaterThan(0);

      // Every file of the database was synced, where it was written, before PG_VERSION moved in.
      const staging = /rename\("(.*?)\/PG_VERSION"/.exec(calls[pgVersionAt]!)![1]!;
      const syncedBefore = new Set(calls.slice(0, pgVersionAt).map(syncedPath));
      const files = readdirSync(dataDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(dataDir.length));
      expect(files.length).toBeGreaterThan(500);
      expect(files.filter((file) => !syncedBefore.has(staging + file))).toEqual([]);

      // The folder was synced after the other files moved in and before PG_VERSION did, then after it, and so
      // was the folder that holds it.
      const lastOtherMove = calls.findLastIndex(
        (call, index) => index < pgVersionAt && /rename/.test(call) && call.includes(`, "${dataDir}/`),
      );
      const folderSyncs = calls.flatMap((call, index) => (syncedPath(call) === dataDir ? [index] : []));
      expect(folderSyncs.some((index) => index > lastOtherMove && index < pgVersionAt)).toBe(true);
      expect(folderSyncs.some((index) => index > pgVersionAt)).toBe(true);
      expect(calls.some((call) => syncedPath(call) === dirname(dataDir))).toBe(true);
    },
  );

  it('creates the database in a fresh file system whose only entry is lost+found', async () => {
    const dataDir = folder();
    mkdirSync(join(dataDir, 'lost+found'));
    await createPgliteFolder(dataDir, []);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'lost+found'))).toBe(true);
  }, 60_000);

  it('gives the folder lock back when the database cannot be created', async () => {
    const dataDir = folder();
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    await expect(
      openStore({ kind: 'pglite', dataDir }, { log: quiet, migrationsDir: join(dataDir, 'none') }),
    ).rejects.toThrow('no database (no PG_VERSION)');
    const lock = await lockPgliteFolder(dataDir, quiet);
    await lock.release();
  });
});
