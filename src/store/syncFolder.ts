import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/**
 * fsyncs a folder, so that the entries made, renamed or removed in it survive a power cut: a file's own fsync
 * makes its bytes durable, not the name that reaches it (POSIX leaves that to the folder's fsync, which Postgres's
 * initdb and every WAL-keeping store also call).
 *
 * Where a folder cannot be synced, that passes, as Postgres's fsync_fname_ext lets it pass, since nothing better
 * can be done there: a folder that cannot be opened for reading (EACCES: mode 0711; EISDIR), one whose file system
 * refuses the sync (EINVAL, EBADF: some FUSE, 9p and network mounts), and Windows, which refuses every folder's
 * (EPERM).
 */
export async function syncFolder(path: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isOneOf(error, ['EACCES', 'EISDIR'])) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isOneOf(error, process.platform === 'win32' ? ['EINVAL', 'EBADF', 'EPERM'] : ['EINVAL', 'EBADF'])) {
      throw error;
    }
  } finally {
    await handle.close();
  }
}

const isOneOf = (error: unknown, codes: readonly string[]) =>
  codes.includes((error as NodeJS.ErrnoException).code ?? '');
