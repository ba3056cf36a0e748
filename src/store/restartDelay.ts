/** The first wait before a thread that ended is started again. */
export const FIRST_RESTART_DELAY_MS = 500;
export const MAX_RESTART_DELAY_MS = 30_000;
/** A thread that served this long ended for a reason of its own, not in a crash loop: the wait starts over. */
export const STABLE_AFTER_MS = 60_000;

/**
 * How long to wait before the next start of a thread: after one that served `livedMs` and ended, or (`livedMs`
 * undefined) after a start that failed. Each end soon after a start, and each failed start, doubles the wait, at most
 * to MAX_RESTART_DELAY_MS, so a thread that keeps failing does not spin; a thread that served a minute starts over.
 */
export function restartDelay(previousMs: number, livedMs?: number): number {
  if (livedMs !== undefined && livedMs >= STABLE_AFTER_MS) return FIRST_RESTART_DELAY_MS;
  return Math.min(MAX_RESTART_DELAY_MS, previousMs === 0 ? FIRST_RESTART_DELAY_MS : previousMs * 2);
}
