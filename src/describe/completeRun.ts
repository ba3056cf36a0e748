import { AppError, isAppError } from '../errors.js';
import {
  RowChangedError,
  type AttemptAccounting,
  type DescriptionRepository,
  type LedgerAttempt,
  type PendingDescription,
  type RunState,
} from '../store/index.js';
import { accountAttempts } from './accountAttempts.js';

/** Each recount or retried addition answers one other writer's change; more than this many is a fault. */
const MAX_CHANGES = 5;

/**
 * Writes a run's outcome to its row, whatever happened to the row while the model answered:
 * - An earlier run that a retry overtook added its attempts (same run, more attempts than it
 *   began with): the outcome is counted again over them (`outcomeFor` gets the row's attempts)
 *   and written.
 * - A retry reopened the row as a later run. That happens when this process lost the database
 *   for longer than its lease, a sibling's sweep closed the row INTERRUPTED, and the client sent
 *   the request again. The later run holds the request now. This run's attempts are added to the
 *   row, so what Bedrock billed for them is on the ledger and in the key's spend. The client is
 *   told REQUEST_IN_PROGRESS: sending the request again replays the row's outcome.
 */
export async function completeRun<O extends AttemptAccounting, R>(
  descriptions: DescriptionRepository,
  pending: PendingDescription,
  outcomeFor: (pending: PendingDescription) => O,
  write: (pending: PendingDescription, outcome: O) => Promise<R>,
): Promise<R> {
  let current = pending;
  for (let changes = 0; ; changes++) {
    const outcome = outcomeFor(current);
    try {
      return await write(current, outcome);
    } catch (error) {
      if (!(error instanceof RowChangedError) || changes >= MAX_CHANGES) throw error;
      const { state } = error;
      if (state.run === current.run) {
        // Only a sweep or this run closes this run's row, and a sweep's INTERRUPTED stays completable.
        if (!state.completable) throw error;
        current = { ...current, attempts: state.attempts };
        continue;
      }
      const ours = (outcome.attempts ?? []).slice(current.attempts.length);
      await addOvertakenAttempts(descriptions, state, ours, pending.unitPrices);
      throw new AppError(
        'REQUEST_IN_PROGRESS',
        'A retry of this request took it over while this attempt ran; send it again for the recorded outcome',
        { cause: error, descriptionId: pending.id, retryAfterSeconds: 1 },
      );
    }
  }
}

/** Whether completeRun found its run overtaken (its attempts are on the row; nothing more to write). */
export function isOvertaken(error: unknown): boolean {
  return isAppError(error) && error.code === 'REQUEST_IN_PROGRESS' && error.cause instanceof RowChangedError;
}

async function addOvertakenAttempts(
  descriptions: DescriptionRepository,
  seen: RunState,
  ours: readonly LedgerAttempt[],
  unitPrices: PendingDescription['unitPrices'],
): Promise<void> {
  if (ours.length === 0) return;
  let state: RunState | null = seen;
  for (let changes = 0; state !== null; changes++) {
    if (changes > MAX_CHANGES)
      throw new Error(`Ledger row ${seen.id} kept changing while an overtaken run's attempts were added`);
    const totals = accountAttempts([...state.attempts, ...ours], unitPrices);
    // A row a sweep closed says something may have been billed that it cannot count: that stays unknown.
    const usageKnown = totals.usageKnown && (state.status === 'PENDING' || state.usageKnown);
    if (await descriptions.addAttempts(state, { ...totals, usageKnown, costUsd: usageKnown ? totals.costUsd : null })) {
      return;
    }
    state = await descriptions.readRunState(seen.id);
  }
}
