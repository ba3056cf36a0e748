import type { Logger } from 'pino';

export interface CalibrationRefresh {
  /** Stops the schedule. */
  stop(): void;
}

/**
 * Refreshes the estimate's calibration factors now (awaited, so the server starts with them) and
 * then every `intervalMs`, on a timer that never keeps the process alive by itself. The factors are
 * read here, off the request path: a request looks them up in memory and never waits for the
 * ledger's aggregate. A failed read (the database is away) is logged, and the factors in use stay
 * until the next tick: at start-up that is the rule as it is (factor 1), never a refused start.
 */
export async function startCalibrationRefresh(options: {
  readonly refresh: () => Promise<ReadonlyMap<string, { readonly factor: number; readonly requests: number }>>;
  readonly intervalMs: number;
  readonly logger: Logger;
}): Promise<CalibrationRefresh> {
  const { logger } = options;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    // One read at a time: a slow aggregate is never stacked under the next tick.
    running = running.then(() =>
      options.refresh().then(
        (factors) => logger.debug({ factors: Object.fromEntries(factors) }, 'estimate calibration refreshed'),
        (error: unknown) => logger.warn({ err: error }, 'estimate calibration could not be read'),
      ),
    );
    return running;
  };
  await run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
