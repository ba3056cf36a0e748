import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder } from './syncFolder.js';

/**
 * Syncs in flight at once: a disk (and a journaling file system) takes concurrent flushes together, and a new
 * database's folders hold hundreds of files each.
 */
const AT_ONCE = 16;

/**
 * fsyncs every file and folder under `path`, each folder after what it holds and `path` last. For a tree another
 * process wrote without syncing (PGlite's initdb, in createPgliteFolder's child): a file's fsync flushes what the
 * kernel holds of it, whoever wrote it.
 */
export async function syncTree(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(path, entry.name));
  for (let at = 0; at < files.length; at += AT_ONCE) {
    await Promise.all(files.slice(at, at + AT_ONCE).map(syncFile));
  }
  for (const entry of entries.filter((e) => e.isDirectory())) await syncTree(join(path, entry.name));
  await syncFolder(path);
}

async function syncFile(path: string): Promise<void> {
  // Opened for writing, as Postgres's fsync_fname does: some systems (Windows) refuse to flush a read-only handle.
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
