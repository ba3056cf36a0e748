import { randomUUID } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Completion } from './completeRun.js';
import { makeFolderDurably } from './makeFolderDurably.js';
import { syncFolder } from './syncFolder.js';
import type { UnitPrices } from '../bedrock/index.js';

/**
 * A completion the database could not take in time, kept to be written when it can (see
 * replayJournalEntry): the row, its run, how many of the outcome's attempts the row held when
 * the run began (the rest are the run's own), and the prices they cost. Entries written before
 * runs existed have none of the three; those from before attempts were counted have no
 * `attemptsBefore` and `unitPrices`.
 */
export type JournalEntry = {
  readonly id: string;
  readonly run?: number;
  readonly attemptsBefore?: number;
  readonly unitPrices?: UnitPrices | null;
  readonly completedAt: string;
} & Completion;

export interface CompletionJournal {
  /**
   * Appends and fsyncs: once this resolves, the entry survives a crash of this process or machine.
   * When it rejects (the disk full or failing), the entry is not durable, but it is still held in
   * this process's memory and applied by its next replay: a process that lives on completes the
   * row once the database is back, so the client's retry finds the answer instead of a row left
   * PENDING for the life of the process.
   */
  append(entry: JournalEntry): Promise<void>;
  /**
   * Applies the entries this process holds in memory, then this instance's journal file, and those
   * of other journals in the folder whose instance is not in `liveInstanceIds` (their process is
   * gone), each file in order; each file applied whole is removed. Returns how many.
   */
  replay(apply: (entry: JournalEntry) => Promise<void>, liveInstanceIds: ReadonlySet<string>): Promise<number>;
}

const SUFFIX = '.jsonl';
const CLAIMED = '.claimed';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `<instance>.jsonl`, and `<owner>~<claimer>~<unique>.claimed`: the only names the journal touches in its folder. */
const JOURNAL_NAME = new RegExp(`^(${UUID})\\${SUFFIX}$`);
const CLAIMED_NAME = new RegExp(`^(${UUID})~(${UUID})~${UUID}\\${CLAIMED}$`);

/** A journal file of the folder: whose entries it holds, and who may replay it. */
function parseName(name: string): { owner: string; holder: string } | undefined {
  const journal = JOURNAL_NAME.exec(name);
  if (journal !== null) return { owner: journal[1]!, holder: journal[1]! };
  const claimed = CLAIMED_NAME.exec(name);
  return claimed === null ? undefined : { owner: claimed[1]!, holder: claimed[2]! };
}

/** An append that keeps finding its file renamed under it is a fault, not a race. */
const MAX_APPEND_TRIES = 5;

/**
 * Entries whose append failed, held in memory for the next replay, at most: a disk that stays
 * full while the database stays away must not grow the process without bound (past it, such
 * rows are left to the recovery of a process that died, as before).
 */
export const MAX_HELD_ENTRIES = 10_000;

/**
 * One append-only JSON-lines file per instance in `dir` (instances on one machine may share
 * the folder). Entries are idempotent to apply (a completion only writes a row still open),
 * so a replay cut short is simply replayed again.
 *
 * Each entry is written as `\n<json>\n`: an append that failed part-way (disk full, EIO) or a
 * crash leaves a line without its newline, and the next entry's leading newline ends it there
 * instead of the entry being glued onto it and lost with it at replay. Truncating the file back
 * after a failed append would not do: a crash never runs it, and it can fail as the write did.
 * Such a line was never acknowledged (its append threw), so replay skips it, with a warning.
 *
 * A replay first claims a file by renaming it (atomic within the folder), then reads, applies
 * and removes what it claimed. An instance whose lease lapsed is replayed by its siblings while
 * it may still be alive and appending (cut off from the database, which is when it journals):
 * what it appends after the rename goes to a new file, never into one about to be removed. A
 * claimed file left by a replay that failed part-way (or a crash) is applied again by its
 * claimer, or by anyone once the claimer's lease is gone. Files of other names in the folder
 * are never touched.
 */
export function createCompletionJournal(
  dir: string,
  instanceId: string,
  warn: (message: string) => void = () => {},
): CompletionJournal {
  const own = join(dir, `${instanceId}${SUFFIX}`);
  // Appends take turns with appends, replays with replays; the two need not wait for each other,
  // since a replay works on files it claimed by renaming (and an append that raced the rename
  // writes again): an answer must be journaled at once while a replay waits on a slow database.
  const queueOf = () => {
    let queue: Promise<unknown> = Promise.resolve();
    return <T>(task: () => Promise<T>): Promise<T> => {
      const run = queue.then(task, task);
      queue = run.catch(() => undefined);
      return run;
    };
  };
  const appends = queueOf();
  const replays = queueOf();
  // Entries whose append failed: not durable, applied by this process's next replay (see append).
  const held: JournalEntry[] = [];

  /** Renames `name` to a claim of this instance; undefined when another replay took it first. */
  const claim = async (name: string, owner: string): Promise<string | undefined> => {
    const claimed = join(dir, `${owner}~${instanceId}~${randomUUID()}${CLAIMED}`);
    try {
      await rename(join(dir, name), claimed);
      return claimed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  const readClaimed = async (file: string): Promise<string | undefined> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      // Claimed from under us: its claimer's lease lapsed mid-replay and another instance took it over.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  const applyFile = async (name: string, owner: string, apply: (entry: JournalEntry) => Promise<void>) => {
    const file = await claim(name, owner);
    const text = file === undefined ? undefined : await readClaimed(file);
    if (file === undefined || text === undefined) return 0;
    // Only an append that failed part-way or a crash leaves a line that is not a whole entry.
    const entries = text.split('\n').flatMap((line, index) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as JournalEntry];
      } catch {
        warn(
          `Skipped line ${index + 1} of the completion journal ${join(dir, name)} (claimed as ${file}): ` +
            'not a whole entry, left by an append that failed or a crash, so never acknowledged',
        );
        return [];
      }
    });
    for (const entry of entries) await apply(entry);
    await rm(file, { force: true });
    return entries.length;
  };

  const appendDurably = async (entry: JournalEntry) => {
    await makeFolderDurably(dir);
    // A sibling may claim (rename) the file between our open and our write, and read it before the
    // write lands: the entry is then written again to a new file. Applying it twice is harmless.
    for (let tries = 1, written = false; !written; tries++) {
      if (tries > MAX_APPEND_TRIES) throw new Error(`the completion journal ${own} kept moving under its appends`);
      const handle = await open(own, 'a');
      try {
        await handle.appendFile(`\n${JSON.stringify(entry)}\n`);
        await handle.sync();
        // The file's sync keeps its bytes, not its name, and the folder's sync keeps the name. Every append syncs
        // the folder: telling which append made the file is not safe (one that made it and then failed leaves a
        // file whose name may never have been synced), and the journal is written only while the database is away.
        await syncFolder(dir);
        written = (await handle.stat()).ino === (await stat(own).catch(() => undefined))?.ino;
      } finally {
        await handle.close();
      }
    }
  };

  /** Applies the entries held in memory, in order; the first that fails stays, with those after it. */
  const applyHeld = async (apply: (entry: JournalEntry) => Promise<void>) => {
    let applied = 0;
    while (held.length > 0) {
      await apply(held[0]!);
      held.shift();
      applied += 1;
    }
    return applied;
  };

  return {
    append(entry) {
      return appends(async () => {
        try {
          await appendDurably(entry);
        } catch (error) {
          if (held.length < MAX_HELD_ENTRIES) held.push(entry);
          else warn(`The completion of ${entry.id} could not be journaled nor held (${MAX_HELD_ENTRIES} already are)`);
          throw error;
        }
      });
    },
    replay(apply, liveInstanceIds) {
      return replays(async () => {
        let applied = 0;
        const errors: unknown[] = [];
        try {
          applied += await applyHeld(apply);
        } catch (error) {
          errors.push(error);
        }
        let names: string[] = [];
        try {
          names = await readdir(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(error);
        }
        // This instance's own entries first, so a file that cannot be applied elsewhere in the folder
        // never holds them back; and one failing file does not stop the others (the first error is
        // thrown once all were tried; the file stays, and the next sweep tries it again).
        const files = names
          .map((name) => ({ name, ...parseName(name) }))
          .filter((file): file is { name: string; owner: string; holder: string } => file.holder !== undefined)
          .filter((file) => file.holder === instanceId || !liveInstanceIds.has(file.holder))
          .sort((a, b) => Number(b.owner === instanceId) - Number(a.owner === instanceId));
        for (const file of files) {
          try {
            applied += await applyFile(file.name, file.owner, apply);
          } catch (error) {
            errors.push(error);
          }
        }
        if (errors.length > 0) throw errors[0];
        return applied;
      });
    },
  };
}
