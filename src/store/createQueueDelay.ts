/** How long each look at the pool's waits lasts. */
export const QUEUE_DELAY_WINDOW_MS = 250;

/** Ended waits a window needs before its shortest one says anything: one statement behind a slow one is not a queue. */
const MIN_WAITS_PER_WINDOW = 2;

export interface QueueDelay {
  /** A statement got a connection without queueing (one was idle, or the pool had room to open one). */
  free(): void;
  /** A statement queues for a connection; the returned function says it has one, or gave up. */
  wait(): () => void;
  /**
   * How long statements have all had to queue for a connection lately, in ms: the shortest wait of the last whole
   * window, or, once it has lasted a window, how long the oldest statement still queueing has waited. 0 while
   * some statement gets a connection at once.
   */
  current(): number;
}

/**
 * Tells a queue that stands from a burst, as CoDel does for packets: a burst makes some statements wait and is
 * gone within a window, so the window's shortest wait is near 0; while the pool is the bound, every statement
 * waits, and the shortest wait is how long the queue has stood. A pool that hands out no connection for a whole
 * window (every one held by a statement that hangs) ends no wait, so the oldest open wait counts too once it is
 * that old. Nothing runs on a timer: windows close when a statement or a reader comes along.
 */
export function createQueueDelay(
  windowMs: number = QUEUE_DELAY_WINDOW_MS,
  now: () => number = () => performance.now(),
): QueueDelay {
  let windowStart = now();
  let windowMin = Infinity;
  let windowWaits = 0;
  let lastMin = 0;
  // Open waits by start time, oldest first (a Map keeps insertion order).
  const open = new Map<number, number>();
  let nextId = 0;

  function roll(at: number): void {
    if (at - windowStart < windowMs) return;
    // A window with too few ended waits says nothing stands; nor does one older than the last.
    lastMin = at - windowStart < 2 * windowMs && windowWaits >= MIN_WAITS_PER_WINDOW ? windowMin : 0;
    windowStart = at;
    windowMin = Infinity;
    windowWaits = 0;
  }

  function ended(waitedMs: number, at: number): void {
    roll(at);
    windowMin = Math.min(windowMin, waitedMs);
    windowWaits += 1;
  }

  return {
    free() {
      ended(0, now());
    },
    wait() {
      const id = nextId++;
      open.set(id, now());
      return () => {
        const startedAt = open.get(id);
        if (startedAt === undefined) return;
        open.delete(id);
        const at = now();
        ended(at - startedAt, at);
      };
    },
    current() {
      const at = now();
      roll(at);
      const oldest = open.values().next();
      const oldestMs = oldest.done ? 0 : at - oldest.value;
      return Math.max(lastMin, oldestMs >= windowMs ? oldestMs : 0);
    },
  };
}
