import type { Logger } from 'pino';
import type { DescriptionRepository, InstanceLease } from '../store/index.js';

export interface RecoveryOptions {
  readonly descriptions: DescriptionRepository;
  readonly lease: InstanceLease;
  readonly leaseTtlMs: number;
  /** How often every instance looks for rows whose process is gone. */
  readonly sweepIntervalMs: number;
  /** Rows written before leases existed (no owner) are taken for gone after this long. */
  readonly legacyAfterMs: number;
  /** Writes completions the database could not take when they happened (the completion journal). */
  readonly replayCompletions: () => Promise<number>;
  readonly logger: Logger;
}

export interface Recovery {
  /** Closes the rows of processes that are gone now; returns how many. */
  sweep(): Promise<number>;
  /** Stops renewing and sweeping (the lease itself is released by whoever stops the store). */
  stop(): void;
}

export const INTERRUPTED_MESSAGE =
  'The server running this request stopped before it completed; whether Bedrock billed the call is unknown';

/**
 * Recovery in seconds, safe with many instances: this process renews its lease four times per
 * lease period, and sweeps on start and every `sweepIntervalMs`. A process that dies (kill -9,
 * a lost machine) stops renewing; within a lease period plus a sweep interval any live instance,
 * or this one restarted, closes its PENDING rows as FAILED/INTERRUPTED. A live instance's call
 * is never touched however long it runs, because its lease stays current.
 */
export function startRecovery(options: RecoveryOptions): Recovery {
  const { descriptions, lease, logger } = options;
  const sweep = async () => {
    // Journaled answers first: a row the journal completes is not a gone process's row.
    // A journal that cannot be read (a missing or broken disk) is logged and tried again next time;
    // it must not stop the sweep, nor the server from starting.
    const replayed = await options.replayCompletions().catch((error: unknown) => {
      logger.error({ err: error }, 'completion journal could not be replayed');
      return 0;
    });
    if (replayed > 0) logger.warn({ replayed }, 'wrote completions kept in the journal while the database was away');
    // Rows this live instance wrote while the database was frozen, whose client was told
    // SERVICE_UNAVAILABLE: closeOrphaned never takes a live instance's rows. Logged, never fatal to the sweep.
    const unanswered = await descriptions.closeUnanswered().catch((error: unknown) => {
      logger.warn({ err: error }, 'requests the database committed without answering could not be closed');
      return 0;
    });
    if (unanswered > 0) {
      logger.warn({ unanswered }, 'closed requests the database committed after it had stopped answering');
    }
    const closed = await descriptions.closeOrphaned(
      'INTERRUPTED',
      INTERRUPTED_MESSAGE,
      new Date(Date.now() - options.legacyAfterMs),
    );
    if (closed > 0) logger.warn({ closed }, 'closed requests whose server stopped while they ran');
    return closed;
  };
  // A failed renewal or sweep (the database is away) is logged and tried again at the next tick.
  const renewTimer = setInterval(
    () => {
      lease.renew().catch((error: unknown) => logger.warn({ err: error }, 'instance lease renewal failed'));
    },
    Math.max(250, Math.floor(options.leaseTtlMs / 4)),
  );
  const sweepTimer = setInterval(() => {
    sweep().catch((error: unknown) => logger.warn({ err: error }, 'recovery sweep failed'));
  }, options.sweepIntervalMs);
  renewTimer.unref();
  sweepTimer.unref();
  return {
    sweep,
    stop() {
      clearInterval(renewTimer);
      clearInterval(sweepTimer);
    },
  };
}
