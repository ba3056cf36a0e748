import { AppError, isAppError } from '../errors.js';
import { failedRecord, succeededRecord } from './completedRecord.js';
import type { CompletionJournal } from './completionJournal.js';
import type { Completion } from './completeRun.js';
import type { DescriptionRepository } from './createDescriptionRepository.js';
import type { PendingDescription } from './DescriptionRecord.js';

export interface DurableCompletionOptions {
  /** How long a completion write is retried while the database is unavailable (COMPLETION_RETRY_MS). */
  readonly retryMs: number;
  readonly journal: CompletionJournal;
  readonly onJournaled?: (id: string, error: unknown) => void;
}

const unavailable = (error: unknown) => isAppError(error) && error.code === 'SERVICE_UNAVAILABLE';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A journal on a hung disk (or a path Node's recursive mkdir loops on, such as under /proc) must not hang the answer. */
const JOURNAL_TIMEOUT_MS = 5_000;
function withinJournalTimeout<T>(append: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the completion journal did not answer in time')), JOURNAL_TIMEOUT_MS);
  });
  return Promise.race([append, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A billed answer is never lost to a database blip: a completion that meets an unavailable
 * database is retried with backoff (100 ms doubling to 2 s) for `retryMs`; if it still cannot
 * be written it is appended to the completion journal, and the client gets its answer as the
 * row will hold it once the journal is replayed (at start-up and on every recovery sweep). Only
 * if the journal cannot keep it either does the client get SERVICE_UNAVAILABLE, with the row's id.
 */
export function withDurableCompletion(
  repository: DescriptionRepository,
  options: DurableCompletionOptions,
): DescriptionRepository {
  async function durably<T>(pending: PendingDescription, write: () => Promise<T>, keep: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + options.retryMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await write();
      } catch (error) {
        if (!unavailable(error)) throw error;
        if (Date.now() + delay > deadline) {
          try {
            const kept = await withinJournalTimeout(keep());
            options.onJournaled?.(pending.id, error);
            return kept;
          } catch (journalError) {
            throw new AppError(
              'SERVICE_UNAVAILABLE',
              'The answer could not be recorded: the ledger database is unavailable and the completion journal failed',
              { cause: journalError, descriptionId: pending.id, retryAfterSeconds: 2 },
            );
          }
        }
        await sleep(delay);
      }
    }
  }

  /** Journals the completion of `pending`'s run; returns the instant it records. */
  async function keep(pending: PendingDescription, completion: Completion): Promise<Date> {
    const completedAt = new Date();
    await options.journal.append({
      id: pending.id,
      run: pending.run,
      attemptsBefore: pending.attempts.length,
      unitPrices: pending.unitPrices,
      completedAt: completedAt.toISOString(),
      ...completion,
    });
    return completedAt;
  }

  return {
    ...repository,
    succeed(pending, outcome) {
      return durably(
        pending,
        () => repository.succeed(pending, outcome),
        async () => {
          const completedAt = await keep(pending, { kind: 'succeed', outcome });
          return succeededRecord(pending, outcome, outcome.costUsd, completedAt);
        },
      );
    },
    fail(pending, failure) {
      return durably(
        pending,
        () => repository.fail(pending, failure),
        async () => failedRecord(pending, failure, await keep(pending, { kind: 'fail', failure })),
      );
    },
  };
}
