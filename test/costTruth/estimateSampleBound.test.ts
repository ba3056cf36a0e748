import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { DATABASES } from '../helpers/databases.js';
import { seedRow } from '../helpers/seedLedger.js';
import { freshDatabase, type TestDatabase } from '../helpers/startTestApp.js';

/**
 * The calibration's read is bounded by rows as well as days, so it costs the same on a ledger of any
 * size: only the newest `maxRows` rows of the window are looked at, comparable or not.
 */
describe.each(DATABASES)('the estimate samples on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.config, { log: { info: () => {}, warn: () => {} } });
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const row = (hours: number, inputTokens: number, extra: { fail?: string } = {}) => ({
      createdAt: hoursAgo(hours),
      modelId: 'amazon.nova-lite-v1:0',
      estimatedInputTokens: 1_000,
      inputTokens,
      ...extra,
    });
    // Newest first: a FAILED row (looked at, not comparable), two at 1 300, then older rows at 2 000.
    for (const seeded of [
      row(1, 1_300, { fail: 'UPSTREAM_ERROR' }),
      row(2, 1_300),
      row(3, 1_300),
      row(4, 2_000),
      row(5, 2_000),
      row(24 * 40, 5_000),
    ]) {
      await seedRow(store.descriptions, seeded);
    }
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await database?.cleanup();
  });

  it('counts the comparable rows among the newest maxRows of the window', async () => {
    expect(await store.estimateSamples(30, 3)).toEqual([
      { baseModelId: 'amazon.nova-lite-v1:0', requests: 2, inputTokens: 2_600, estimatedInputTokens: 2_000 },
    ]);
    expect(await store.estimateSamples(30, 100)).toEqual([
      { baseModelId: 'amazon.nova-lite-v1:0', requests: 4, inputTokens: 6_600, estimatedInputTokens: 4_000 },
    ]);
  });
});
