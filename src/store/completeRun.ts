import { AppError, isAppError } from '../errors.js';
import { accountAttempts } from './accountAttempts.js';
import { ledgerAttempts } from './attemptRecord.js';
import { addAttemptsSql, failSql, runStateSql, succeedSql } from './completionSql.js';
import type {
  AttemptAccounting,
  DescriptionFailure,
  DescriptionStatus,
  DescriptionSuccess,
  LedgerAttempt,
  PendingDescription,
} from './DescriptionRecord.js';
import type { DriverQuery } from './DriverQuery.js';

/** The run a completion is for, as it began: its row, its number, the attempts the row held then, and its prices. */
export type RunTarget = Pick<PendingDescription, 'id' | 'run' | 'attempts' | 'unitPrices'>;

/** How a run ended, as its completion writes it (and the completion journal keeps it). */
export type Completion =
  | { readonly kind: 'succeed'; readonly outcome: DescriptionSuccess }
  | { readonly kind: 'fail'; readonly failure: DescriptionFailure };

/**
 * Where a row stands for a completion that found it changed under it: which run holds it,
 * whether a completion of that run may still write it, and its attempts so far.
 */
export interface RunState {
  readonly id: string;
  readonly run: number;
  readonly status: DescriptionStatus;
  /** PENDING, or closed INTERRUPTED by a recovery sweep: the run's own completion may still write it. */
  readonly completable: boolean;
  readonly attempts: readonly LedgerAttempt[];
  readonly usageKnown: boolean;
}

/** A completion wrote nothing because a retry reopened the row as a later run (the error's cause). */
export class RowChangedError extends Error {
  override readonly name = 'RowChangedError';
  constructor(readonly state: RunState) {
    super(`Ledger row ${state.id} changed while an outcome of an earlier run was on the way`);
  }
}

/** A completion found its row gone: deleted while it ran (only a closed row can be deleted). */
export class RowGoneError extends Error {
  override readonly name = 'RowGoneError';
  constructor(readonly id: string) {
    super(`Ledger row ${id} was gone when its outcome arrived`);
  }
}

/** Whether completeRun found its run overtaken (its attempts are on the row; nothing more to write). */
export function isOvertaken(error: unknown): boolean {
  return isAppError(error) && error.code === 'REQUEST_IN_PROGRESS' && error.cause instanceof RowChangedError;
}

/** What completeRun wrote: the completion as counted against the row, and the cost as stored. */
export interface CompletedRun<C extends Completion> {
  readonly completion: C;
  readonly costUsd: string | null;
}

/** Each recount or retried addition answers one other writer's change; more than this many is a fault. */
const MAX_CHANGES = 5;

const accountingOf = (completion: Completion) =>
  completion.kind === 'succeed' ? completion.outcome : completion.failure;

function withAccounting<C extends Completion>(completion: C, accounting: AttemptAccounting): C {
  return (
    completion.kind === 'succeed'
      ? { ...completion, outcome: { ...completion.outcome, ...accounting } }
      : { ...completion, failure: { ...completion.failure, ...accounting } }
  ) as C;
}

/** The completion counted again over the row's attempts as they now are, followed by the run's own. */
function recount<C extends Completion>(
  completion: C,
  rowAttempts: readonly LedgerAttempt[],
  ours: readonly LedgerAttempt[],
  unitPrices: RunTarget['unitPrices'],
): C {
  return withAccounting(completion, accountAttempts([...rowAttempts, ...ours], unitPrices));
}

/** The row as a completion finds it; null when it is gone. */
export async function readRunState(driver: DriverQuery, id: string): Promise<RunState | null> {
  const [row] = await driver<RunState & { attempts: unknown }>(runStateSql(id));
  return row === undefined ? null : { ...row, attempts: ledgerAttempts(row) };
}

/**
 * Writes a run's outcome to its row, in one statement when nothing else touched the row, and
 * whatever happened to the row while the model answered:
 * - An earlier run that a retry overtook added its attempts (same run, more attempts than it
 *   began with): the outcome is counted again over them and written.
 * - A retry reopened the row as a later run. That happens when this process lost the database
 *   for longer than its lease, a sibling's sweep closed the row INTERRUPTED, and the client sent
 *   the request again. The later run holds the request now. This run's attempts are added to the
 *   row, so what Bedrock billed for them is on the ledger and in the key's spend, and the result
 *   is REQUEST_IN_PROGRESS (isOvertaken): sending the request again replays the row's outcome.
 * - This run's outcome is on the row already (a write whose acknowledgement was lost, retried;
 *   or a completion journal replayed twice): nothing more is written.
 * Each step is safe to repeat, which is what lets the completion journal replay it.
 * `completion`'s attempts are the run's starting attempts (`run.attempts`) followed by its own.
 */
export async function completeRun<C extends Completion>(
  driver: DriverQuery,
  run: RunTarget,
  completion: C,
  completedAt: Date,
): Promise<CompletedRun<C>> {
  const all = accountingOf(completion).attempts;
  // Without attempts (a model outside the Bedrock adapter) there is nothing to recount or add.
  const ours = (all ?? []).slice(run.attempts.length).map((attempt) => ({ ...attempt, run: run.run }));
  let current = all === undefined ? completion : withAccounting(completion, { attempts: [...run.attempts, ...ours] });
  let attemptsBefore = run.attempts.length;
  for (let changes = 0; ; changes++) {
    const target = { id: run.id, run: run.run, attemptsBefore: all === undefined ? undefined : attemptsBefore };
    const [written] =
      current.kind === 'succeed'
        ? await driver<{ costUsd: string | null }>(succeedSql(target, current.outcome, completedAt), {
            prepareAs: 'bvg_succeed',
          })
        : await driver<{ costUsd: string | null }>(failSql(target, current.failure, completedAt), {
            prepareAs: 'bvg_fail',
          });
    if (written !== undefined) return { completion: current, costUsd: written.costUsd };
    const state = await readRunState(driver, run.id);
    if (state === null) throw new RowGoneError(run.id);
    if (changes >= MAX_CHANGES) throw new Error(`Ledger row ${run.id} kept changing while run ${run.run} completed`);
    if (state.run === run.run) {
      // Only this run closes its row, and a sweep's INTERRUPTED stays completable: closed means
      // written. So does a row holding attempts of this run: only this run's own completion puts
      // them there while the row is at this run (its own INTERRUPTED, at shutdown, stays completable).
      if (!state.completable || state.attempts.some((attempt) => attempt.run === run.run)) {
        return { completion: current, costUsd: accountingOf(current).costUsd ?? null };
      }
      if (all === undefined) throw new Error(`Ledger row ${run.id} took attempts while run ${run.run} answered`);
      current = recount(completion, state.attempts, ours, run.unitPrices);
      attemptsBefore = state.attempts.length;
      continue;
    }
    await addOvertakenAttempts(driver, state, ours, run);
    throw new AppError(
      'REQUEST_IN_PROGRESS',
      'A retry of this request took it over while this attempt ran; send it again for the recorded outcome',
      { cause: new RowChangedError(state), descriptionId: run.id, retryAfterSeconds: 1 },
    );
  }
}

async function addOvertakenAttempts(
  driver: DriverQuery,
  seen: RunState,
  ours: readonly LedgerAttempt[],
  run: RunTarget,
): Promise<void> {
  let state: RunState | null = seen;
  for (let changes = 0; state !== null; changes++) {
    // Already there: this is a repeat (see completeRun).
    if (ours.length === 0 || state.attempts.some((attempt) => attempt.run === run.run)) return;
    if (changes > MAX_CHANGES)
      throw new Error(`Ledger row ${seen.id} kept changing while an overtaken run's attempts were added`);
    const totals = accountAttempts([...state.attempts, ...ours], run.unitPrices);
    // A row a sweep closed says something may have been billed that it cannot count: that stays unknown.
    const usageKnown = totals.usageKnown && (state.status === 'PENDING' || state.usageKnown);
    const added = totals.attempts.slice(state.attempts.length);
    const rows = await driver(
      addAttemptsSql(state, { ...totals, usageKnown, costUsd: usageKnown ? totals.costUsd : null }, added),
    );
    if (rows.length > 0) return;
    state = await readRunState(driver, seen.id);
  }
}
