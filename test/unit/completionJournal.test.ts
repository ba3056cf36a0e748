import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCompletionJournal, type JournalEntry } from '../../src/store/completionJournal.js';

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
describe('the completion journal shared by instances', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bvg-journal-unit-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("keeps an entry its owner appends while a sibling replays the owner's file", async () => {
    const owner = createCompletionJournal(dir, 'owner');
    const sibling = createCompletionJournal(dir, 'sibling');
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
    expect(await owner.replay(async (e) => void ownerApplied.push(e.id), new Set(['sibling']))).toBe(1);
    expect(ownerApplied).toEqual(['b']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('applies again a file whose replay failed part-way, whoever replays next', async () => {
    const owner = createCompletionJournal(dir, 'owner');
    await owner.append(entry('a'));
    await owner.append(entry('b'));
    const first = createCompletionJournal(dir, 'first');
    await expect(
      first.replay(async (e) => {
        if (e.id === 'b') throw new Error('database gone');
      }, new Set()),
    ).rejects.toThrow('database gone');

    // The sibling that claimed the file is alive: nobody else takes it from it.
    const other = createCompletionJournal(dir, 'other');
    expect(await other.replay(async () => undefined, new Set(['first']))).toBe(0);
    // Once it is gone, another instance does; the file it claimed is applied whole.
    const applied: string[] = [];
    expect(await other.replay(async (e) => void applied.push(e.id), new Set())).toBe(2);
    expect(applied).toEqual(['a', 'b']);
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves a live sibling's file alone", async () => {
    const owner = createCompletionJournal(dir, 'owner');
    await owner.append(entry('a'));
    const sibling = createCompletionJournal(dir, 'sibling');
    expect(await sibling.replay(async () => undefined, new Set(['owner']))).toBe(0);
    expect(await owner.replay(async () => undefined, new Set(['sibling']))).toBe(1);
  });
});
