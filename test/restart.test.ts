import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/index.js';
import { expectData } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { DESCRIBE, HISTORY } from './helpers/operations.js';
import { seedRow } from './helpers/seedLedger.js';
import { freshDatabase, startTestApp } from './helpers/startTestApp.js';

describe('the ledger across restarts', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('keeps every row in a PGlite folder when the server restarts', async () => {
    const emulator = await startEmulator({ port: 0 });
    const database = await freshDatabase('pglite-folder');
    cleanups.push(
      () => emulator.close(),
      () => database.cleanup(),
    );

    const first = await startTestApp('pglite-folder', { database, emulator });
    const png = toBase64(await solidImage(30, 20));
    const described = expectData(
      await first.gql(DESCRIBE, { input: { image: { base64: png }, prompt: 'Before the restart' } }),
    ).describeImage;
    await first.stop({ keepDatabase: true });

    const second = await startTestApp('pglite-folder', { database, emulator });
    try {
      const history = expectData(await second.gql(HISTORY, {})).history;
      expect(history.totalCount).toBe(1);
      expect(history.edges[0].node).toMatchObject({
        id: described.id,
        status: 'SUCCEEDED',
        prompt: 'Before the restart',
        text: described.text,
      });
    } finally {
      await second.stop({ keepDatabase: true });
    }
  });

  it('closes a request a stopped server left PENDING as FAILED/INTERRUPTED at the next start', async () => {
    const emulator = await startEmulator({ port: 0 });
    const database = await freshDatabase('pglite-folder');
    cleanups.push(
      () => emulator.close(),
      () => database.cleanup(),
    );

    const first = await startTestApp('pglite-folder', { database, emulator });
    // A request that began an hour ago and whose process died before the model answered.
    const id = await seedRow(first.app.store.descriptions, {
      createdAt: new Date(Date.now() - 60 * 60_000),
      prompt: 'Lost in a crash',
      pending: true,
    });
    await first.stop({ keepDatabase: true });

    const second = await startTestApp('pglite-folder', { database, emulator });
    try {
      const row = expectData(
        await second.gql(`query($id: ID!) { description(id: $id) { status error { code } } }`, { id }),
      ).description;
      expect(row).toEqual({ status: 'FAILED', error: { code: 'INTERRUPTED' } });
    } finally {
      await second.stop({ keepDatabase: true });
    }
  });
});
