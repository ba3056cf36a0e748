import { completeRun, isOvertaken, readRunState, RowGoneError } from './completeRun.js';
import type { JournalEntry } from './completionJournal.js';
import type { DriverQuery } from './DriverQuery.js';

/**
 * Writes a journaled completion as completeRun would have when it happened, so a replay that
 * finds a retry's later run holding the row adds this run's attempts to it (nothing Bedrock
 * billed is lost), and one that finds attempts added meanwhile counts them in. Repeating it
 * (a replay cut short by a crash) writes nothing twice. A row deleted meanwhile takes nothing.
 */
export async function replayJournalEntry(driver: DriverQuery, entry: JournalEntry): Promise<void> {
  const completedAt = new Date(entry.completedAt);
  const accounting = entry.kind === 'succeed' ? entry.outcome : entry.failure;
  const all = accounting.attempts ?? [];
  // Rows from before runs were reopened as run 1.
  const run = entry.run ?? 1;
  let attemptsBefore = entry.attemptsBefore;
  if (attemptsBefore === undefined) {
    // An entry from before attempts were counted: its run began with what the row holds if
    // nothing was added since (the only case those versions wrote); one a later run overtook
    // cannot tell its own attempts apart, and is left as the later run wrote the row.
    const state = await readRunState(driver, entry.id);
    if (state === null) return;
    attemptsBefore = state.run === run ? Math.min(state.attempts.length, all.length) : all.length;
  }
  const target = { id: entry.id, run, attempts: all.slice(0, attemptsBefore), unitPrices: entry.unitPrices ?? null };
  try {
    await completeRun(driver, target, entry, completedAt);
  } catch (error) {
    // Overtaken: its attempts are on the row now, which is all there is to write.
    if (isOvertaken(error) || error instanceof RowGoneError) return;
    throw error;
  }
}
