import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCompletionJournal, type JournalEntry } from '../../src/store/completionJournal.js';
import { canTrace, syncedPath, traceSyscalls } from '../helpers/traceSyscalls.js';

const MODULE = fileURLToPath(new URL('../../src/store/completionJournal.ts', import.meta.url));

const entry = (id: string): JournalEntry => ({
  id,
  run: 1,
  attemptsBefore: 0,
  unitPrices: null,
  completedAt: new Date(0).toISOString(),
  kind: 'fail',
  failure: { code: 'INTERRUPTED', message: 'stopped', latencyMs: undefined, bedrockRequestId: undefined },
});

/**
 * Instances on one machine share the journal folder, and one whose lease lapsed is replayed by
 * its siblings while it may still be alive (cut off from the database, which is when it
 * journals) and appending. Real files in a temporary folder.
 */
/** Instance ids are lease ids: UUIDs, the only names the journal touches in its folder. */
const OWNER = randomUUID();
const SIBLING = randomUUID();
const FIRST = randomUUID();
const OTHER = randomUUID();

describe('the completion journal shared by instances', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bvg-journal-unit-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("keeps an entry its owner appends while a sibling replays the owner's file", async () => {
    const owner = createCompletionJournal(dir, OWNER);
    const sibling = createCompletionJournal(dir, SIBLING);
    await owner.append(entry('a'));
    const applied: string[] = [];
    // The owner, still running, journals another answer while the sibling is applying the first.
    const siblingApplied = await sibling.replay(async (e) => {
      applied.push(e.id);
      if (e.id === 'a') await owner.append(entry('b'));
    }, new Set());
    expect(siblingApplied).toBe(1);
    expect(applied).toEqual(['a']);

    const ownerApplied: string[] = [];
    expect(await owner.replay(async (e) => void ownerApplied.push(e.id), new Set([SIBLING]))).toBe(1);
    expect(ownerApplied).toEqual(['b']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('applies again a file whose replay failed part-way, whoever replays next', async () => {
    const owner = createCompletionJournal(dir, OWNER);
    await owner.append(entry('a'));
    await owner.append(entry('b'));
    const first = createCompletionJournal(dir, FIRST);
    await expect(
      first.replay(async (e) => {
        if (e.id === 'b') throw new Error('database gone');
      }, new Set()),
    ).rejects.toThrow('database gone');

    // The sibling that claimed the file is alive: nobody else takes it from it.
    const other = createCompletionJournal(dir, OTHER);
    expect(await other.replay(async () => undefined, new Set([FIRST]))).toBe(0);
    // Once it is gone, another instance does; the file it claimed is applied whole.
    const applied: string[] = [];
    expect(await other.replay(async (e) => void applied.push(e.id), new Set())).toBe(2);
    expect(applied).toEqual(['a', 'b']);
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves a live sibling's file alone", async () => {
    const owner = createCompletionJournal(dir, OWNER);
    await owner.append(entry('a'));
    const sibling = createCompletionJournal(dir, SIBLING);
    expect(await sibling.replay(async () => undefined, new Set([OWNER]))).toBe(0);
    expect(await owner.replay(async () => undefined, new Set([SIBLING]))).toBe(1);
  });

  it("applies this instance's entries and every other file even when one file cannot be applied", async () => {
    const self = createCompletionJournal(dir, OWNER);
    await self.append(entry('mine'));
    // Instances that are gone: one whose entry fails every time, and many that are fine (in
    // whatever order the folder lists them, the bad one must not hold the others back).
    await createCompletionJournal(dir, randomUUID()).append(entry('poison'));
    for (let i = 0; i < 10; i++) await createCompletionJournal(dir, randomUUID()).append(entry(`gone-${i}`));
    const applied: string[] = [];
    await expect(
      self.replay(async (e) => {
        if (e.id === 'poison') throw new Error('this entry cannot be written');
        applied.push(e.id);
      }, new Set()),
    ).rejects.toThrow('this entry cannot be written');
    expect(applied[0]).toBe('mine');
    expect(applied.sort()).toEqual(['mine', ...Array.from({ length: 10 }, (_, i) => `gone-${i}`)].sort());
    // Only the failing file is left, claimed by this instance, to be tried again.
    expect(await readdir(dir)).toEqual([expect.stringMatching(new RegExp(`~${OWNER}~.*\\.claimed$`))]);
  });

  it('leaves files it did not write alone', async () => {
    await writeFile(`${dir}/notes.jsonl`, '{"not":"an entry"}\n');
    await writeFile(`${dir}/backup~x~y.claimed`, '');
    const self = createCompletionJournal(dir, OWNER);
    expect(await self.replay(async () => undefined, new Set())).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['backup~x~y.claimed', 'notes.jsonl']);
  });

  it('keeps an entry appended after an append that failed part-way', async () => {
    const self = createCompletionJournal(dir, OWNER);
    await self.append(entry('before'));
    // What a write cut by a full disk or EIO leaves behind: the start of an entry, no newline.
    const cut = JSON.stringify(entry('cut'));
    await appendFile(join(dir, `${OWNER}.jsonl`), cut.slice(0, cut.length / 2));
    await self.append(entry('after'));
    const applied: string[] = [];
    expect(await self.replay(async (e) => void applied.push(e.id), new Set())).toBe(2);
    expect(applied).toEqual(['before', 'after']);
  });

  it('warns, naming the file, of a line it cannot read', async () => {
    const warnings: string[] = [];
    const self = createCompletionJournal(dir, OWNER, (message) => warnings.push(message));
    await writeFile(join(dir, `${OWNER}.jsonl`), `${JSON.stringify(entry('a'))}\n{"id":"cu\n`);
    const applied: string[] = [];
    expect(await self.replay(async (e) => void applied.push(e.id), new Set())).toBe(1);
    expect(applied).toEqual(['a']);
    expect(warnings).toEqual([expect.stringContaining(`${OWNER}.jsonl`)]);
  });

  it('takes an append at once while a replay waits on the database', async () => {
    const self = createCompletionJournal(dir, OWNER);
    await self.append(entry('a'));
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    // The replay's database write hangs, as on a frozen server, until the test lets it go.
    const replaying = self.replay(() => stuck, new Set());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const appended = await Promise.race([
      self.append(entry('b')).then(() => 'appended'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000)),
    ]);
    expect(appended).toBe('appended');
    release();
    expect(await replaying).toBe(1);
    const later: string[] = [];
    expect(await self.replay(async (e) => void later.push(e.id), new Set())).toBe(1);
    expect(later).toEqual(['b']);
  });

  /** A journal whose folder cannot be made (a file stands where it should be), after an append of `id` failed. */
  async function journalThatFailedToAppend(id: string) {
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, '');
    const journal = createCompletionJournal(blocked, OWNER);
    await expect(journal.append(entry(id))).rejects.toThrow();
    return journal;
  }

  it('applies at its next replay an entry it could not write to disk, once, and says the append failed', async () => {
    const journal = await journalThatFailedToAppend('a');

    const applied: string[] = [];
    await expect(journal.replay(async (e) => void applied.push(e.id), new Set())).rejects.toThrow();
    expect(applied).toEqual(['a']);
    // Applied once: the next replay does not apply it again.
    await journal.replay(async (e) => void applied.push(e.id), new Set()).catch(() => undefined);
    expect(applied).toEqual(['a']);
  });

  it('keeps a held entry whose apply failed for the replay after', async () => {
    const journal = await journalThatFailedToAppend('a');
    await expect(
      journal.replay(async () => {
        throw new Error('database away');
      }, new Set()),
    ).rejects.toThrow('database away');
    const applied: string[] = [];
    await journal.replay(async (e) => void applied.push(e.id), new Set()).catch(() => undefined);
    expect(applied).toEqual(['a']);
  });

  // An entry the caller was told is durable must survive a power cut, the file's name and its folder's included.
  // strace sees what reaches the kernel: two appends in a process of their own, into a folder they make.
  it.skipIf(!canTrace)('syncs each append, its folder, and the folders it made into their parents', () => {
    const home = realpathSync(dir);
    const journalDir = join(home, 'made', 'journal');
    const appends = `import { createCompletionJournal } from ${JSON.stringify(MODULE)};
      const journal = createCompletionJournal(process.argv[1], ${JSON.stringify(OWNER)});
      await journal.append(${JSON.stringify(entry('a'))});
      await journal.append(${JSON.stringify(entry('b'))});`;
    const calls = traceSyscalls(appends, [journalDir], 'fsync', join(home, '..', `${OWNER}.trace`));
    const file = join(journalDir, `${OWNER}.jsonl`);
    // The first append makes two folders; each append then syncs the journal folder's name, the file and the folder.
    const made = join(home, 'made');
    expect(calls.flatMap((call) => syncedPath(call) ?? [])).toEqual([
      made,
      home,
      file,
      journalDir,
      made,
      file,
      journalDir,
    ]);
  });
});
