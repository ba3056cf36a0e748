import { lstat, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** How long a probe of one socket may take; a live server's listening socket answers at once, even when busy. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Removes the socket folders (`<prefix>XXXXXX`, holding `socketName`) that servers killed without a chance to clean
 * up (SIGKILL, the OOM killer, a power cut on a persistent /tmp) left in `base`. A folder goes only when it is this
 * user's, holds the socket, and nothing listens on it: connecting is refused. Asking the socket, not whether the
 * pid that made it lives, keeps a live server's folder whatever PID namespace it runs in. A folder without its
 * socket is left alone: it may be a server's that is starting, or whose thread is between a crash and its restart.
 * Best effort: whatever cannot be read or removed stays.
 */
export async function removeStaleSocketFolders(base: string, prefix: string, socketName: string): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(base)).filter((name) => name.startsWith(prefix));
  } catch {
    return 0;
  }
  const uid = process.getuid?.();
  const removed = await Promise.all(
    names.map(async (name) => {
      const folder = join(base, name);
      try {
        const stat = await lstat(folder);
        if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) return false;
        const socket = await lstat(join(folder, socketName));
        if (!socket.isSocket() || (await probe(join(folder, socketName))) !== 'refused') return false;
        await rm(folder, { recursive: true, force: true });
        return true;
      } catch {
        return false;
      }
    }),
  );
  return removed.filter(Boolean).length;
}

/** Whether a Unix socket has a listener: refused only when the kernel says nobody listens. */
function probe(path: string): Promise<'listening' | 'refused' | 'unknown'> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (answer: 'listening' | 'refused' | 'unknown') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('unknown'), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done('listening'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : 'unknown'));
  });
}
