import { open } from 'node:fs/promises';

/**
 * fsyncs a folder, so that the entries made, renamed or removed in it survive a power cut: a file's own fsync
 * makes its bytes durable, not the name that reaches it (POSIX leaves that to the folder's fsync, which Postgres's
 * initdb and every WAL-keeping store also call).
 *
 * Some file systems cannot sync a folder (some FUSE, 9p and network mounts answer EINVAL or EBADF): that passes, as
 * Postgres's fsync_fname_ext lets it pass, since nothing better can be done there.
 */
export async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle.close();
  }
}
