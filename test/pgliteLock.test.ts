import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { FolderInUseError, lockPgliteFolder } from '../src/store/lockPgliteFolder.js';
import { expectData, gql } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { spawnServer, type ServerProcess } from './helpers/spawnServer.js';

const quiet = { warn: () => {} };

/** Field 22 of /proc/<pid>/stat, as the lock records it. */
function processStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('one process per PGlite folder', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bvg-lock-'));
    dirs.push(dir);
    return join(dir, 'pglite');
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('between real server processes', () => {
    let emulator: Emulator;
    const servers: ServerProcess[] = [];
    // The servers' temporary folder, where each puts the folder of its PGlite thread's socket: each test's own, since
    // the servers that afterEach kills leave theirs behind.
    let serversTmp: string;
    const socketFolders = () => readdirSync(serversTmp).filter((name) => name.startsWith('bvg-pglite-'));
    const spawn = (dataDir: string) => {
      const server = spawnServer({
        DATABASE_URL: `file:${dataDir}`,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
        TMPDIR: serversTmp,
      });
      servers.push(server);
      return server;
    };
    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
    });
    beforeEach(() => {
      serversTmp = mkdtempSync(join(tmpdir(), 'bvg-lock-tmp-'));
      dirs.push(serversTmp);
    });
    afterEach(async () => {
      for (const server of servers.splice(0)) {
        server.kill();
        await server.exited;
      }
    });
    afterAll(() => emulator.close());

    it(
      'refuses to start a second server on the folder, naming the process that holds it',
      { timeout: 180_000 },
      async () => {
        const dataDir = folder();
        const first = spawn(dataDir);
        const origin = await first.ready();

        const second = spawn(dataDir);
        const { code } = await second.exited;

        expect(code).toBe(1);
        const said = second.lines.map((l) => l.text ?? l.msg).join('\n');
        expect(said).toContain(
          `The PGlite folder ${dataDir} is in use by another process: pid ${first.pid} on host ${hostname()}, started 20`,
        );
        expect((await fetch(`${origin}/readyz`)).status).toBe(200);
      },
    );

    it(
      'takes over the lock of a server killed with SIGKILL, keeps its rows and removes the socket folder it left',
      { timeout: 180_000 },
      async () => {
        const dataDir = folder();
        const first = spawn(dataDir);
        const firstOrigin = await first.ready();
        const png = toBase64(await solidImage(20, 10));
        const described = expectData(
          await gql(
            `${firstOrigin}/graphql`,
            `mutation($input: DescribeImageInput!) { describeImage(input: $input) { id } }`,
            {
              input: { image: { base64: png } },
            },
          ),
        ).describeImage;
        const firstSocketFolders = socketFolders();
        expect(firstSocketFolders).toHaveLength(1);
        first.child.kill('SIGKILL');
        await first.exited;
        expect(existsSync(`${dataDir}.lock`)).toBe(true);
        expect(socketFolders()).toEqual(firstSocketFolders);
        // The sweep leaves sockets under a minute old: this one is made to look older.
        const then = new Date(Date.now() - 120_000);
        utimesSync(join(serversTmp, firstSocketFolders[0]!, '.s.PGSQL.5432'), then, then);

        const next = spawn(dataDir);
        const origin = await next.ready();
        // The killed server's folder is gone; the new server's own is there.
        const nextSocketFolders = socketFolders();
        expect(nextSocketFolders).toHaveLength(1);
        expect(nextSocketFolders).not.toEqual(firstSocketFolders);

        const takeover = next.lines.find((l) => String(l.msg).startsWith('Took over'));
        expect(takeover?.msg).toContain(`pid ${first.pid} on host ${hostname()}`);
        const history = expectData(
          await gql(`${origin}/graphql`, `{ history { totalCount edges { node { id } } } }`),
        ).history;
        expect(history.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([described.id]);
      },
    );
  });

  describe('the lock file', () => {
    it('refuses a second open in the same process until the first is released', async () => {
      const dataDir = folder();
      mkdirSync(dataDir, { recursive: true });
      const lock = await lockPgliteFolder(dataDir, quiet);

      const refused = await lockPgliteFolder(dataDir, quiet).catch((error: unknown) => error);
      await lock.release();
      const again = await lockPgliteFolder(dataDir, quiet);
      await again.release();

      expect(refused).toBeInstanceOf(FolderInUseError);
      expect((refused as Error).message).toContain(`in use by this process: pid ${process.pid}`);
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
    });

    it('takes over a lock whose pid now belongs to another process, and refuses one whose process still runs', async () => {
      const dataDir = folder();
      mkdirSync(dataDir, { recursive: true });
      const live = process.ppid;
      const holder = { pid: live, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'theirs' };

      writeFileSync(`${dataDir}.lock`, JSON.stringify({ ...holder, processStart: processStart(live) }));
      const refused = await lockPgliteFolder(dataDir, quiet).catch((error: unknown) => error);
      writeFileSync(`${dataDir}.lock`, JSON.stringify({ ...holder, processStart: '1' }));
      const warnings: string[] = [];
      const lock = await lockPgliteFolder(dataDir, { warn: (m) => warnings.push(m) });

      expect(refused).toBeInstanceOf(FolderInUseError);
      expect((refused as FolderInUseError).holder.pid).toBe(live);
      expect(warnings).toEqual([expect.stringContaining(`pid ${live} on host ${hostname()}`)]);
      expect(JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')).pid).toBe(process.pid);
      await lock.release();
    });

    it('refuses a lock from another host touched within the last minute, and takes over one left untouched', async () => {
      const dataDir = folder();
      mkdirSync(dataDir, { recursive: true });
      const path = `${dataDir}.lock`;
      writeFileSync(
        path,
        JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z', token: 'x' }),
      );

      const refused = await lockPgliteFolder(dataDir, quiet).catch((error: unknown) => error);
      const longAgo = new Date(Date.now() - 10 * 60_000);
      utimesSync(path, longAgo, longAgo);
      const lock = await lockPgliteFolder(dataDir, quiet);

      expect((refused as Error).message).toContain('pid 1 on host elsewhere');
      expect(JSON.parse(readFileSync(path, 'utf8')).host).toBe(hostname());
      await lock.release();
    });
  });
});
