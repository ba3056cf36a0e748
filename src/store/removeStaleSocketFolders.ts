import { lstat, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** How long a probe of one socket may take; a live server's listening socket answers at once, even when busy. */
const PROBE_TIMEOUT_MS = 1_000;
/**
 * A socket younger than this is left alone: Node binds a socket's path a moment before it listens on it, and a
 * connection in between is refused as if nobody ever would listen.
 */
const MIN_AGE_MS = 60_000;
/** Folders looked at together: a temporary folder holding thousands must not run the process out of descriptors. */
const AT_ONCE = 16;

/**
 * Removes the socket folders (`<prefix>XXXXXX`, holding `socketName`) that servers killed without a chance to clean
 * up (SIGKILL, the OOM killer, a power cut on a persistent /tmp) left in `base`. A folder goes only when it is this
 * user's, holds the socket, the socket is a minute old or more, and nothing listens on it: connecting is refused.
 * Asking the socket, not whether the pid that made it lives, keeps a live server's folder whatever PID namespace it
 * runs in. Only on Linux, where a live listener's full queue answers EAGAIN; macOS refuses then, as if nobody
 * listened. A folder without its socket is left alone: it may be a server's that is starting, or whose thread is
 * between a crash and its restart. `prefix` should name the host: a socket made by another host (a temporary folder
 * shared over the network) refuses every connection from this one. Best effort: whatever cannot be read or removed
 * stays.
 */
export async function removeStaleSocketFolders(base: string, prefix: string, socketName: string): Promise<number> {
  if (process.platform !== 'linux') return 0;
  let names: string[];
  try {
    names = (await readdir(base)).filter((name) => name.startsWith(prefix));
  } catch {
    return 0;
  }
  let removed = 0;
  for (let i = 0; i < names.length; i += AT_ONCE) {
    const done = await Promise.all(names.slice(i, i + AT_ONCE).map((name) => removeIfStale(join(base, name))));
    removed += done.filter(Boolean).length;
  }
  return removed;

  async function removeIfStale(folder: string): Promise<boolean> {
    try {
      const stat = await lstat(folder);
      if (!stat.isDirectory() || stat.uid !== process.getuid?.()) return false;
      const socket = await lstat(join(folder, socketName));
      if (!socket.isSocket() || Date.now() - socket.mtimeMs < MIN_AGE_MS) return false;
      if ((await probe(join(folder, socketName))) !== 'refused') return false;
      await rm(folder, { recursive: true, force: true });
      return true;
    } catch {
      return false;
    }
  }
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
