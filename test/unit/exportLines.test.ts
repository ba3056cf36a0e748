import { describe, expect, it } from 'vitest';
import { createHistoryReader } from '../../src/store/createHistoryReader.js';
import type { DriverQuery } from '../../src/store/DriverQuery.js';
import type { ExportLine } from '../../src/store/index.js';

/**
 * The export's read-ahead, with a driver that serves one full batch and then fails, as a
 * dropped database connection would. (The reads themselves are tested on both databases in
 * test/export.test.ts; here only the failure of the batch read ahead is of interest.)
 */
function failingAfterOneBatch(batchSize: number) {
  let reads = 0;
  const driverRead = (async () => {
    reads++;
    if (reads > 1) throw new Error('connection lost');
    return Array.from({ length: batchSize }, (_, i): ExportLine => ({
      id: `id-${i}`,
      createdAt: '2026-01-01T00:00:00.000Z',
      line: `{"n":${i}}`,
    }));
  }) as DriverQuery;
  // exportLines reads through the driver only; the Prisma client is not used.
  const reader = createHistoryReader(undefined as never, driverRead);
  return { reader, reads: () => reads };
}

describe('export read-ahead', () => {
  it('asks for the next batch while the current one is handed out', async () => {
    const { reader, reads } = failingAfterOneBatch(3);
    const lines = reader.exportLines({}, 'ndjson', 3);
    await lines.next();
    expect(reads()).toBe(2);
    await lines.return(undefined);
  });

  it('passes a failed read-ahead to a reader that goes on', async () => {
    const { reader } = failingAfterOneBatch(3);
    const read: string[] = [];
    await expect(async () => {
      for await (const { line } of reader.exportLines({}, 'ndjson', 3)) read.push(line);
    }).rejects.toThrow('connection lost');
    expect(read).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
  });

  it('lets a reader stop early without the failed read-ahead surfacing as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { reader, reads } = failingAfterOneBatch(3);
      for await (const { line } of reader.exportLines({}, 'ndjson', 3)) {
        if (line === '{"n":1}') break;
      }
      expect(reads()).toBe(2);
      // Give the rejected read-ahead time to settle and be reported, if nothing handled it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
