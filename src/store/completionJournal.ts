import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
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
   * `liveInstanceIds` (their process is gone), in order; each file applied whole is removed. Returns how many.
   */
  replay(apply: (entry: JournalEntry) => Promise<void>, liveInstanceIds: ReadonlySet<string>): Promise<number>;
  /** Whether this instance has entries not yet written. */
  readonly pending: boolean;
}

const SUFFIX = '.jsonl';

/**
 * One append-only JSON-lines file per instance in `dir` (instances on one machine may share
 * the folder). Entries are idempotent to apply (a completion only writes a row still open),
 * so a replay cut short is simply replayed again.
 */
export function createCompletionJournal(dir: string, instanceId: string): CompletionJournal {
  const own = join(dir, `${instanceId}${SUFFIX}`);
  let pending = false;
  // Appends and replays of this instance's file take turns.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const applyFile = async (file: string, apply: (entry: JournalEntry) => Promise<void>) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
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
    get pending() {
      return pending;
    },
    append(entry) {
      return serial(async () => {
        await mkdir(dir, { recursive: true });
        const handle = await open(own, 'a');
        try {
          await handle.appendFile(`${JSON.stringify(entry)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        pending = true;
      });
    },
    replay(apply, liveInstanceIds) {
      return serial(async () => {
        let applied = await applyFile(own, apply);
        pending = false;
        let names: string[] = [];
        try {
          names = await readdir(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        for (const name of names) {
          const id = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : undefined;
          if (id !== undefined && id !== instanceId && !liveInstanceIds.has(id)) {
            applied += await applyFile(join(dir, name), apply);
          }
        }
        return applied;
      });
    },
  };
}
