/** How long each look at the pool's waits lasts. */
export const QUEUE_DELAY_WINDOW_MS = 250;

export interface QueueDelay {
  /** A statement starts waiting for a connection; the returned function says it has one (or gave up). */
  wait(): () => void;
  /**
   * How long statements have all had to wait for a connection lately, in ms: the shortest wait of the last whole
   * window, or how long the oldest statement still waiting has waited, whichever is longer. 0 when some statement
   * found a connection free at once and none waits now.
   */
  current(): number;
}

/**
 * Tells a queue that stands from a burst, as CoDel does for packets: a burst makes some statements wait and is
 * gone within a window, so the window's shortest wait is near 0; while the pool is the bound, every statement
 * waits, and the shortest wait is how long the queue has stood. A pool that hands out no connection at all (every
 * one held by a statement that hangs) ends no wait, so the oldest wait still open counts too. Nothing runs on a
 * timer: windows close when a statement or a reader comes along.
 */
export function createQueueDelay(
  windowMs: number = QUEUE_DELAY_WINDOW_MS,
  now: () => number = () => performance.now(),
): QueueDelay {
  let windowStart = now();
  let windowMin = Infinity;
  let lastMin = 0;
  // Open waits by start time, oldest first (Map keeps insertion order).
  const open = new Map<number, number>();
  let nextId = 0;

  function roll(at: number): void {
    if (at - windowStart < windowMs) return;
    // A window in which no wait ended says nothing stands; nor does an older one.
    lastMin = at - windowStart < 2 * windowMs && windowMin !== Infinity ? windowMin : 0;
    windowStart = at;
    windowMin = Infinity;
  }

  return {
    wait() {
      const id = nextId++;
      const startedAt = now();
      open.set(id, startedAt);
      return () => {
        if (!open.delete(id)) return;
        const at = now();
        roll(at);
        windowMin = Math.min(windowMin, at - startedAt);
      };
    },
    current() {
      const at = now();
      roll(at);
      const oldest = open.values().next();
      return Math.max(lastMin, oldest.done ? 0 : at - oldest.value);
    },
  };
}
