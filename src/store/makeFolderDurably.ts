import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { syncFolder } from './syncFolder.js';

/**
 * `mkdir -p`, and each folder it made is synced into its parent, so that what is later written and synced inside
 * `path` is not lost with a folder whose own name never reached the disk. `path` itself is synced into its parent
 * every time, made now or not: a call that made it may have failed, or been killed, before its sync.
 */
export async function makeFolderDurably(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true });
  if (first === undefined) return syncFolder(dirname(resolve(path)));
  // mkdir made `first` and every folder below it on the way to `path`.
  const top = resolve(first);
  for (let level = resolve(path); ; level = dirname(level)) {
    await syncFolder(dirname(level));
    if (level === top || dirname(level) === level) return;
  }
}
