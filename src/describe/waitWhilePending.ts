import type { DescriptionRecord } from '../store/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A duplicate that arrives while the first request is still running waits for it: the row is
 * read again (50 ms, doubling to 500 ms apart) until it is no longer PENDING or `waitMs` has
 * passed, so the client gets the first request's outcome instead of an error to retry on.
 * Returns the last read, PENDING still if the wait ran out.
 */
export async function waitWhilePending(
  first: DescriptionRecord,
  read: () => Promise<DescriptionRecord | null>,
  waitMs: number,
  signal?: AbortSignal,
): Promise<DescriptionRecord> {
  const deadline = Date.now() + waitMs;
  let current = first;
  for (
    let delay = 50;
    current.status === 'PENDING' && Date.now() + delay <= deadline;
    delay = Math.min(delay * 2, 500)
  ) {
    if (signal?.aborted) break;
    await sleep(delay);
    current = (await read()) ?? current;
  }
  return current;
}
