import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createPgliteFolder } from '../src/store/createPgliteFolder.js';
import { lockPgliteFolder } from '../src/store/lockPgliteFolder.js';
import { openStore } from '../src/store/openStore.js';
import { canTrace, renamed, syncedPath, traceSyscalls } from './helpers/traceSyscalls.js';

const LOADER = fileURLToPath(new URL('./helpers/registerTsLoader.mjs', import.meta.url));
const MODULE = fileURLToPath(new URL('../src/store/createPgliteFolder.ts', import.meta.url));
const quiet = { info: () => {}, warn: () => {} };

/** PGlite opens the folder's database and answers a query. */
async function expectQueryable(dataDir: string): Promise<void> {
  const db = new PGlite(dataDir);
  try {
    expect((await db.query<{ n: number }>('SELECT 1 + 1 AS n')).rows).toEqual([{ n: 2 }]);
  } finally {
    await db.close();
  }
}

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
    expect(readdirSync(dataDir).filter((name) => name.startsWith('.'))).toEqual([]);

    await expectQueryable(dataDir);
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
  it.skipIf(!canTrace)(
    'syncs every file and folder of a new database before moving it in, and the folder before and after PG_VERSION moves',
    { timeout: 120_000 },
    async () => {
      const dataDir = realpathSync(folder());
      const calls = traceSyscalls(
        `import { createPgliteFolder } from ${JSON.stringify(MODULE)}; await createPgliteFolder(process.argv[1], []);`,
        [dataDir],
        'fsync,rename,renameat,renameat2',
        join(dataDir, '..', 'trace'),
      );
      const renames = calls.map(renamed);
      const at = (test: (move: readonly [string, string]) => boolean) =>
        renames.findIndex((move) => move !== undefined && test(move));
      // The staging, renamed complete once its database is whole; then each entry; PG_VERSION last.
      const markAt = at(([, to]) => to.startsWith(`${dataDir}/.complete-`));
      expect(markAt, 'no rename of the staging to .complete- in the trace').toBeGreaterThan(0);
      const [staging, complete] = renames[markAt]!;
      const pgVersionAt = at(([, to]) => to === `${dataDir}/PG_VERSION`);
      const lastOtherMoveAt = renames.findLastIndex(
        (move) => move !== undefined && move[0].startsWith(`${complete}/`) && move[1] !== `${dataDir}/PG_VERSION`,
      );
      expect([markAt > 0, lastOtherMoveAt > markAt, pgVersionAt > lastOtherMoveAt]).toEqual([true, true, true]);

      // Every file and folder of the database was synced where it was written, before the mark.
      const syncedBeforeMark = new Set(calls.slice(0, markAt).map(syncedPath));
      const paths = readdirSync(dataDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() || entry.isDirectory())
        .map((entry) => join(entry.parentPath, entry.name).slice(dataDir.length));
      expect(paths.length).toBeGreaterThan(500);
      expect(['', ...paths].filter((path) => !syncedBeforeMark.has(staging + path))).toEqual([]);

      // The folder was synced after the mark and before the moves, after the moves and before PG_VERSION's, and
      // after it; then the folder that holds it.
      const syncsOf = (path: string) => calls.flatMap((call, index) => (syncedPath(call) === path ? [index] : []));
      const between = (from: number, to: number) => (index: number) => index > from && index < to;
      const firstMoveAt = at(([from]) => from.startsWith(`${complete}/`));
      expect(syncsOf(dataDir).some(between(markAt, firstMoveAt))).toBe(true);
      expect(syncsOf(dataDir).some(between(lastOtherMoveAt, pgVersionAt))).toBe(true);
      const lastFolderSync = Math.max(...syncsOf(dataDir));
      expect(lastFolderSync).toBeGreaterThan(pgVersionAt);
      expect(syncsOf(dirname(dataDir)).some((index) => index > lastFolderSync)).toBe(true);
    },
  );

  it('finishes moving in a database whose creation was cut off among its moves, which PGlite then opens', async () => {
    const made = folder();
    await createPgliteFolder(made, []);
    // As a power cut or a kill leaves it: some entries moved in, the rest (PG_VERSION among them) still marked.
    const dataDir = folder();
    const complete = join(dataDir, '.complete-0badc0de');
    mkdirSync(complete);
    const database = readdirSync(made).sort();
    for (const [index, entry] of database.entries()) {
      renameSync(join(made, entry), join(index % 2 === 0 && entry !== 'PG_VERSION' ? dataDir : complete, entry));
    }

    await createPgliteFolder(dataDir, []);
    expect(readdirSync(dataDir).sort()).toEqual(database);
    await expectQueryable(dataDir);
  }, 60_000);

  it('removes an empty mark of a finished creation, beside its database or in a folder emptied since', async () => {
    const dataDir = folder();
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    mkdirSync(join(dataDir, '.complete-0badc0de'));
    await createPgliteFolder(dataDir, []);
    expect(readdirSync(dataDir)).toEqual(['PG_VERSION']);

    // `rm -rf folder/*` leaves dot-entries: the next start makes a new database rather than failing on the mark.
    rmSync(join(dataDir, 'PG_VERSION'));
    mkdirSync(join(dataDir, '.complete-0badc0de'));
    await createPgliteFolder(dataDir, []);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('.'))).toEqual([]);
  }, 60_000);

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
