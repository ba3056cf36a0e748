import type { Logger } from 'pino';
import type { ImageStore } from '../images/index.js';
import type { Deletion, DescriptionRepository, LedgerScope } from '../store/index.js';

export interface Housekeeping {
  /** Deletes one finished request; true when there was one. */
  /** Deletes a finished row `scope` may see; another key's row answers false, like a missing one. */
  deleteDescription(id: string, scope: LedgerScope): Promise<boolean>;
  /** Deletes finished requests older than `retentionDays` days; returns how many. */
  purgeExpired(retentionDays: number, now?: Date): Promise<number>;
  /** Runs purgeExpired every `intervalMs` (and once at once); stop() ends the schedule. */
  schedule(retentionDays: number, intervalMs: number): { stop(): void };
}

/**
 * Removing ledger rows, and with them the images no request uses any more: their
 * metadata in the database and their bytes in the image store.
 */
export function createHousekeeping(deps: {
  descriptions: DescriptionRepository;
  imageStore: ImageStore;
  logger: Logger;
}): Housekeeping {
  const { descriptions, imageStore, logger } = deps;
  const dropBytes = async (deletion: Deletion) => {
    for (const sha256 of deletion.orphanedImages) await imageStore.delete(sha256);
  };
  const purgeExpired = async (retentionDays: number, now = new Date()) => {
    const before = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
    const deletion = await descriptions.purgeBefore(before);
    await dropBytes(deletion);
    if (deletion.requests > 0) {
      logger.info(
        { requests: deletion.requests, images: deletion.orphanedImages.length, before },
        'history retention purge',
      );
    }
    return deletion.requests;
  };
  return {
    async deleteDescription(id, scope) {
      const deletion = await descriptions.deleteDescription(id, scope);
      await dropBytes(deletion);
      return deletion.requests > 0;
    },
    purgeExpired,
    schedule(retentionDays, intervalMs) {
      let running: Promise<unknown> = Promise.resolve();
      const run = () => {
        // One purge at a time; a failure is logged and retried at the next tick.
        running = running.then(() =>
          purgeExpired(retentionDays).catch((error: unknown) => logger.error({ err: error }, 'retention purge failed')),
        );
      };
      run();
      const timer = setInterval(run, intervalMs);
      timer.unref();
      return {
        stop() {
          clearInterval(timer);
        },
      };
    },
  };
}
