import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, realpath, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ConfigError } from '../config.js';

/** What a lock file says about its holder, so a refusal can name it and a stale lock can be recognised. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly startedAt: string;
  /** The holder's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), to tell a reused pid apart. */
  readonly processStart?: string | undefined;
  /** Unique per taking, so a holder only ever removes its own lock. */
  readonly token: string;
}

/** A held lock: release it after PGlite is closed. */
export interface FolderLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Refusal to open a folder another live process holds. A ConfigError, so `main` prints just the message. */
export class FolderInUseError extends ConfigError {
  readonly holder: LockHolder;
  constructor(message: string, holder: LockHolder) {
    super(message);
    this.holder = holder;
  }
}

/**
 * How often the holder touches its lock file. A lock whose holder runs on another host (a folder on shared storage,
 * a container that came back under a new hostname) cannot be checked by pid, so it is stale once it has not been
 * touched for {@link FOREIGN_STALE_MS}.
 */
const HEARTBEAT_MS = 10_000;
const FOREIGN_STALE_MS = 6 * HEARTBEAT_MS;
/** A takeover that crashed half-way leaves its marker; past this age the marker is ignored. */
const TAKEOVER_STALE_MS = 10_000;
/** A lock file just created may be empty for a moment: read it again before calling it garbage. */
const UNREADABLE_RETRIES = 5;

/** Folders this process holds, so a second open in the same process is refused like one from another process. */
const heldHere = new Set<string>();

/**
 * Takes the single-writer lock of a PGlite folder, `<folder>.lock` beside it (PGlite's own files stay untouched).
 * PGlite holds its folder without a lock, and two processes on one folder lose each other's writes, so a second
 * process is refused with a message naming the holder. A lock whose holder is gone (killed, crashed, the machine
 * restarted) is taken over: on the same host when its pid is no longer that process, on another host when it has
 * not been touched for a minute. Call after the folder exists.
 */
export async function lockPgliteFolder(dataDir: string, log: { warn(message: string): void }): Promise<FolderLock> {
  const path = `${await realpath(dataDir)}.lock`;
  if (heldHere.has(path)) {
    const current = await readHolder(path);
    const holder = typeof current === 'object' ? current : me('');
    throw new FolderInUseError(inUseMessage(dataDir, path, holder), holder);
  }
  const holder = me(randomUUID());
  for (;;) {
    if (await createExclusive(path, JSON.stringify(holder))) break;
    const existing = await readHolder(path);
    if (existing === 'gone') continue;
    if (existing !== 'unreadable' && (await isAlive(existing, path))) {
      throw new FolderInUseError(inUseMessage(dataDir, path, existing), existing);
    }
    await takeOver(path, existing);
    log.warn(
      existing === 'unreadable'
        ? `Removed an unreadable lock file ${path} and took the folder over.`
        : `Took over ${path}: its holder (${describeHolder(existing)}) is gone.`,
    );
  }
  heldHere.add(path);
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    path,
    async release() {
      clearInterval(heartbeat);
      heldHere.delete(path);
      const current = await readHolder(path);
      if (typeof current === 'object' && current.token === holder.token) await unlink(path).catch(() => undefined);
    },
  };
}

function me(token: string): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStartOf(process.pid),
    token,
  };
}

function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}`;
}

function inUseMessage(dataDir: string, path: string, holder: LockHolder): string {
  const who = holder.pid === process.pid && holder.host === hostname() ? 'this process' : 'another process';
  return (
    `The PGlite folder ${dataDir} is in use by ${who}: ${describeHolder(holder)}. ` +
    'PGlite allows one process per folder (two would lose each other\u2019s writes). Stop that process, give this ' +
    'one another folder (DATABASE_URL=file:<dir>), or use PostgreSQL to run several servers. ' +
    `If that process is gone and this persists, delete ${path}.`
  );
}

/** Creates the file only if it does not exist (O_EXCL), so of two processes exactly one wins. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readHolder(path: string): Promise<LockHolder | 'gone' | 'unreadable'> {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const holder = parseHolder(text);
    if (holder !== undefined) return holder;
    if (attempt >= UNREADABLE_RETRIES) return 'unreadable';
    // Its creator may be between creating and writing it.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return value as LockHolder;
    }
  } catch {
    // Not JSON: half-written or foreign.
  }
  return undefined;
}

/**
 * Whether the holder still runs. On this host: its pid exists and, where Linux says so, is the same process (a
 * container restarted after `kill -9` runs as the same pid, and pids are reused). On another host nothing can be
 * asked, so the heartbeat decides.
 */
async function isAlive(holder: LockHolder, path: string): Promise<boolean> {
  if (holder.host !== hostname()) {
    try {
      return Date.now() - (await stat(path)).mtimeMs < FOREIGN_STALE_MS;
    } catch {
      return false;
    }
  }
  // Not in `heldHere` (checked before), so a lock naming this pid is a previous life of it.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStartOf(holder.pid);
  return holder.processStart === undefined || start === undefined || start === holder.processStart;
}

/**
 * Replaces a stale lock. Two processes may find the same stale lock at once; a takeover marker taken with O_EXCL lets
 * one of them remove it, and the removal checks the token so a lock taken meanwhile is never removed.
 */
async function takeOver(path: string, stale: LockHolder | 'unreadable'): Promise<void> {
  const marker = `${path}.takeover`;
  if (!(await createExclusive(marker, String(process.pid)))) {
    try {
      if (Date.now() - (await stat(marker)).mtimeMs > TAKEOVER_STALE_MS) await unlink(marker);
    } catch {
      // Removed by its owner meanwhile.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    return;
  }
  try {
    const current = await readHolder(path);
    const same =
      current === 'unreadable'
        ? stale === 'unreadable'
        : typeof current === 'object' && typeof stale === 'object' && current.token === stale.token;
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/** Field 22 of `/proc/<pid>/stat`: when the process started, in clock ticks since boot; undefined off Linux. */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
