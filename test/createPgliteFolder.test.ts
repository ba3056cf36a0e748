import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteFolder } from '../src/store/createPgliteFolder.js';

describe('creating the PGlite database of a new folder', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bvg-create-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a database into an empty folder, which PGlite then opens and queries', async () => {
    const dataDir = folder();
    await createPgliteFolder(dataDir);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

    const db = new PGlite(dataDir);
    try {
      expect((await db.query<{ n: number }>('SELECT 1 + 1 AS n')).rows).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('leaves a folder that already holds a database untouched', async () => {
    const dataDir = folder();
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    await createPgliteFolder(dataDir);
    expect(readdirSync(dataDir)).toEqual(['PG_VERSION']);
  });

  it('refuses with a message that names the folder when the database cannot be written', async () => {
    const notAFolder = join(folder(), 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    await expect(createPgliteFolder(notAFolder)).rejects.toThrow(
      new RegExp(`Could not create the PGlite database in ${notAFolder}`),
    );
  }, 120_000);
});
