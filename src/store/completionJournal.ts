import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Completion } from './completeRun.js';
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
  /** Appends and fsyncs: once this resolves, the entry survives a crash of this process or machine. */
  append(entry: JournalEntry): Promise<void>;
  /**
   * Applies this instance's entries, and those of other journals in the folder whose instance is not in
   * `liveInstanceIds` (their process is gone), each file in order; each file applied whole is removed.
   * Returns how many.
   */
  replay(apply: (entry: JournalEntry) => Promise<void>, liveInstanceIds: ReadonlySet<string>): Promise<number>;
}

const SUFFIX = '.jsonl';
/** `<owner>~<claimer>~<unique>.claimed`: a file taken by `claimer` to replay. */
const CLAIMED = '.claimed';

/** Who may replay a file of the folder, read from its name; undefined for a name the journal did not write. */
function holderOf(name: string): string | undefined {
  if (name.endsWith(SUFFIX)) return name.slice(0, -SUFFIX.length);
  if (name.endsWith(CLAIMED)) return name.split('~')[1];
  return undefined;
}

/**
 * One append-only JSON-lines file per instance in `dir` (instances on one machine may share
 * the folder). Entries are idempotent to apply (a completion only writes a row still open),
 * so a replay cut short is simply replayed again.
 *
 * A replay first claims a file by renaming it (atomic within the folder), then reads, applies
 * and removes what it claimed. An instance whose lease lapsed is replayed by its siblings while
 * it may still be alive and appending (cut off from the database, which is when it journals):
 * what it appends after the rename goes to a new file, never into one about to be removed. A
 * claimed file left by a replay that failed part-way (or a crash) is applied again by its
 * claimer, or by anyone once the claimer's lease is gone.
 */
export function createCompletionJournal(dir: string, instanceId: string): CompletionJournal {
  const own = join(dir, `${instanceId}${SUFFIX}`);
  // Appends and replays of this instance's file take turns.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Renames `name` to a claim of this instance; undefined when another replay took it first. */
  const claim = async (name: string): Promise<string | undefined> => {
    const owner = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : name.split('~')[0];
    const claimed = join(dir, `${owner}~${instanceId}~${randomUUID()}${CLAIMED}`);
    try {
      await rename(join(dir, name), claimed);
      return claimed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  const applyFile = async (name: string, apply: (entry: JournalEntry) => Promise<void>) => {
    const file = await claim(name);
    if (file === undefined) return 0;
    const text = await readFile(file, 'utf8');
    // A line cut by a crash mid-append is the only line that can be incomplete: the last.
    const entries = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as JournalEntry];
        } catch {
          return [];
        }
      });
    for (const entry of entries) await apply(entry);
    await rm(file, { force: true });
    return entries.length;
  };

  return {
    append(entry) {
      return serial(async () => {
        await mkdir(dir, { recursive: true });
        // A sibling may claim (rename) the file between our open and our write, and read it before the
        // write lands: the entry is then written again to a new file. Applying it twice is harmless.
        for (let written = false; !written;) {
          const handle = await open(own, 'a');
          try {
            await handle.appendFile(`${JSON.stringify(entry)}\n`);
            await handle.sync();
            written = (await handle.stat()).ino === (await stat(own).catch(() => undefined))?.ino;
          } finally {
            await handle.close();
          }
        }
      });
    },
    replay(apply, liveInstanceIds) {
      return serial(async () => {
        let names: string[] = [];
        try {
          names = await readdir(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        let applied = 0;
        for (const name of names) {
          const holder = holderOf(name);
          if (holder !== undefined && (holder === instanceId || !liveInstanceIds.has(holder))) {
            applied += await applyFile(name, apply);
          }
        }
        return applied;
      });
    },
  };
}
