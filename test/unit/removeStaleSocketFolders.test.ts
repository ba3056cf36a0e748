import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleSocketFolders } from '../../src/store/removeStaleSocketFolders.js';

const PREFIX = 'bvg-pglite-';
const SOCKET = '.s.PGSQL.5432';

/** Makes a file look `minutes` old. */
function age(path: string, minutes: number): void {
  const then = new Date(Date.now() - minutes * 60_000);
  utimesSync(path, then, then);
}

/**
 * A socket file whose listener is gone, as a server killed with SIGKILL leaves it (no close, so no unlink), `minutes`
 * old.
 */
async function socketOfAKilledProcess(path: string, minutes = 2): Promise<void> {
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('listening'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
  age(path, minutes);
}

describe('removing the socket folders of killed servers', () => {
  let base: string;
  const servers: Server[] = [];
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'bvg-sweep-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(base, { recursive: true, force: true });
  });

  const folder = (name: string) => {
    const dir = join(base, name);
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  };

  it('removes a folder whose socket nobody listens on, and keeps a live server’s', async () => {
    const stale = folder(`${PREFIX}stale1`);
    await socketOfAKilledProcess(join(stale, SOCKET));
    expect(existsSync(join(stale, SOCKET))).toBe(true);
    const live = folder(`${PREFIX}live01`);
    const server = createServer((socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(live, SOCKET), resolve));
    age(join(live, SOCKET), 2);

    expect(await removeStaleSocketFolders(base, PREFIX, SOCKET)).toBe(1);

    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(live, SOCKET))).toBe(true);
  });

  it('leaves folders it cannot prove stale: no socket yet, a socket under a minute old, a plain file, another prefix, a symbolic link', async () => {
    const starting = folder(`${PREFIX}start1`);
    // Refused, but new: Node binds a socket's path a moment before it listens.
    const young = folder(`${PREFIX}young1`);
    await socketOfAKilledProcess(join(young, SOCKET), 0);
    const plain = folder(`${PREFIX}plain1`);
    writeFileSync(join(plain, SOCKET), '');
    const other = folder('someone-else-1');
    await socketOfAKilledProcess(join(other, SOCKET));
    const target = folder('target');
    await socketOfAKilledProcess(join(target, SOCKET));
    symlinkSync(target, join(base, `${PREFIX}link01`));

    expect(await removeStaleSocketFolders(base, PREFIX, SOCKET)).toBe(0);

    for (const kept of [
      starting,
      join(young, SOCKET),
      plain,
      join(other, SOCKET),
      join(target, SOCKET),
      join(base, `${PREFIX}link01`),
    ]) {
      expect(existsSync(kept)).toBe(true);
    }
  });

  // Only root can give a folder to another user.
  it.skipIf(process.getuid?.() !== 0)('leaves another user’s folder, stale or not', async () => {
    const theirs = folder(`${PREFIX}other1`);
    await socketOfAKilledProcess(join(theirs, SOCKET));
    chownSync(theirs, 65534, 65534);

    expect(await removeStaleSocketFolders(base, PREFIX, SOCKET)).toBe(0);

    expect(existsSync(join(theirs, SOCKET))).toBe(true);
  });

  it('does nothing when the base folder cannot be read', async () => {
    expect(await removeStaleSocketFolders(join(base, 'missing'), PREFIX, SOCKET)).toBe(0);
  });
});
