import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder } from './syncFolder.js';

/**
 * fsyncs every file and folder under `path`, each folder after what it holds and `path` last. For a tree another process wrote without syncing (PGlite's initdb, in createPgliteFolder's
 * child): a file's fsync flushes what the kernel holds of it, whoever wrote it.
 */
export async function syncTree(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const inner = join(path, entry.name);
    if (entry.isDirectory()) {
      await syncTree(inner);
    } else if (entry.isFile()) {
      const handle = await open(inner, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncFolder(path);
}
