import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPgliteWorker, type PgliteWorker, type PgliteWorkerOptions } from '../src/store/startPgliteWorker.js';

const started: PgliteWorker[] = [];
const clients: pg.Client[] = [];
const folders: string[] = [];

async function start(dataDir?: string, events: Partial<PgliteWorkerOptions> = {}): Promise<PgliteWorker> {
  const worker = await startPgliteWorker({ dataDir, startParams: [], onUnexpectedExit: () => {}, ...events });
  started.push(worker);
  return worker;
}

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bvg-pglite-worker-test-'));
  folders.push(dir);
  return dir;
}

/** What a thread told while it ended and started again, in order. */
function recorder() {
  const told: string[] = [];
  const events: Partial<PgliteWorkerOptions> = {
    onUnexpectedExit: (_why, restartInMs) => told.push(`ended, restart in ${restartInMs}`),
    onRestarting: () => told.push('restarting'),
    onRestarted: () => told.push('restarted'),
    onRestartFailed: (_why, retryInMs) => told.push(`restart failed, retry in ${retryInMs}`),
  };
  return { told, events };
}

/**
 * Ends the thread the way a session it cannot trust does: COPY … FROM STDIN answers with CopyInResponse, not
 * ReadyForQuery, and the thread ends on purpose (the client sees its connection cut).
 */
async function endThread(worker: PgliteWorker): Promise<void> {
  const c = await client(worker);
  await c.query('CREATE TABLE IF NOT EXISTS copy_target (v int)');
  await expect(c.query('COPY copy_target FROM STDIN')).rejects.toThrow();
}

async function client(worker: PgliteWorker): Promise<pg.Client> {
  const c = new pg.Client({ ...worker.connection });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

const socketPath = (worker: PgliteWorker) => join(worker.connection.host, `.s.PGSQL.${worker.connection.port}`);

/** A socket to the thread, with what it received and a promise of its close. */
async function rawSocket(worker: PgliteWorker) {
  const socket = connect(socketPath(worker));
  socket.on('error', () => {});
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received, closed };
}

/** A frontend message: its type byte, then its length and body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
const cstring = (text: string) => Buffer.from(`${text}\0`);

/** A raw connection through start-up with the server's token, at ReadyForQuery. */
async function rawSession(worker: PgliteWorker) {
  const raw = await rawSocket(worker);
  const { user, database, application_name } = worker.connection;
  const body = Buffer.concat([
    Buffer.from([0, 3, 0, 0]),
    ...['user', user, 'database', database, 'application_name', application_name].map(cstring),
    Buffer.from([0]),
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(4 + body.length);
  raw.socket.write(Buffer.concat([length, body]));
  await vi.waitFor(() => expect(Buffer.concat(raw.received).includes(0x5a)).toBe(true));
  raw.received.length = 0;
  return raw;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => {});
  for (const w of started.splice(0)) await w.close();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('PGlite in its worker thread', () => {
  it('answers node-postgres over its socket, named statements and errors included', async () => {
    const worker = await start();
    const c = await client(worker);
    await c.query('CREATE TABLE t (id int PRIMARY KEY, name text)');
    for (let i = 1; i <= 3; i++) {
      await c.query({ name: 'insert_t', text: 'INSERT INTO t VALUES ($1, $2)', values: [i, `n${i}`] });
    }
    expect((await c.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 3 }]);
    await expect(c.query('INSERT INTO t VALUES (1, $1)', ['again'])).rejects.toMatchObject({ code: '23505' });
    // The session goes on after an error, as a PostgreSQL backend's does.
    expect((await c.query('SELECT name FROM t WHERE id = $1', [2])).rows).toEqual([{ name: 'n2' }]);
  });

  it('keeps its socket in a folder only this user can open', async () => {
    const worker = await start();
    expect((await stat(worker.connection.host)).mode & 0o077).toBe(0);
  });

  it('starts each connection in a clean session: a transaction left open is rolled back, statements and locks dropped', async () => {
    const worker = await start();
    const first = await client(worker);
    await first.query('CREATE TABLE kept (id int)');
    await first.query({ name: 'probe', text: 'SELECT 1 AS one', values: [] });
    await first.query('SELECT pg_advisory_lock(42)');
    await first.query('BEGIN');
    await first.query('INSERT INTO kept VALUES (1)');
    await first.query('CREATE TABLE dropped (id int)');
    // The pool loses a connection mid-transaction (an error closed it) and opens another.
    const second = await client(worker);
    await expect(first.query('SELECT 1')).rejects.toThrow();
    const { rows } = await second.query(
      `SELECT (SELECT count(*)::int FROM kept) AS kept,
              to_regclass('dropped') IS NULL AS dropped,
              (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
              (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS locks`,
    );
    expect(rows).toEqual([{ kept: 0, dropped: true, prepared: 0, locks: 0 }]);
    // The new connection may prepare the same name again.
    expect((await second.query({ name: 'probe', text: 'SELECT 1 AS one', values: [] })).rows).toEqual([{ one: 1 }]);
  });

  it("refuses a connection without the server's token, and the connection it serves goes on", async () => {
    const worker = await start();
    const c = await client(worker);
    await c.query('BEGIN');
    await c.query('CREATE TABLE inside (id int)');
    const stranger = new pg.Client({ ...worker.connection, application_name: 'someone-else' });
    stranger.on('error', () => {});
    await expect(stranger.connect()).rejects.toThrow();
    // A cancel request (which PGlite cannot serve) is refused the same way.
    const cancel = connect(socketPath(worker));
    await new Promise<void>((resolve) => cancel.once('connect', () => resolve()));
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    cancel.write(packet);
    await new Promise<void>((resolve) => cancel.once('close', () => resolve()));
    // Still in its transaction: nothing reset the session.
    await c.query('INSERT INTO inside VALUES (1)');
    await c.query('COMMIT');
    expect((await c.query('SELECT count(*)::int AS n FROM inside')).rows).toEqual([{ n: 1 }]);
  });

  it('closes a connection that sends a message no client may send, and serves the next one', async () => {
    const worker = await start();
    const raw = await rawSession(worker);
    // A message of type 0x01, which would make PGlite's backend end (FATAL): closed before PGlite sees it.
    raw.socket.write(Buffer.from([0x01, 0, 0, 0, 4]));
    await raw.closed;
    expect(Buffer.concat(raw.received)).toEqual(Buffer.alloc(0));
    const next = await client(worker);
    expect((await next.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });

  it('rolls back a statement whose connection went between its Execute and its Sync', async () => {
    const worker = await start();
    const c = await client(worker);
    await c.query('CREATE TABLE cut (id int)');
    const raw = await rawSession(worker);
    raw.socket.write(
      Buffer.concat([
        message('P', Buffer.concat([cstring(''), cstring('INSERT INTO cut VALUES (1)'), Buffer.from([0, 0])])),
        message('B', Buffer.concat([cstring(''), cstring(''), Buffer.from([0, 0, 0, 0, 0, 0])])),
        message('E', Buffer.concat([cstring(''), Buffer.from([0, 0, 0, 0])])),
      ]),
    );
    // The INSERT ran (CommandComplete, 'C'), in the implicit transaction a Sync would have committed.
    await vi.waitFor(() => expect(Buffer.concat(raw.received).includes(0x43)).toBe(true));
    raw.socket.destroy();
    await raw.closed;
    const next = await client(worker);
    expect((await next.query('SELECT count(*)::int AS n FROM cut')).rows).toEqual([{ n: 0 }]);
  });

  it('closes a connection whose start-up packet is malformed, and the connection it serves goes on', async () => {
    const worker = await start();
    const c = await client(worker);
    for (const packet of [
      Buffer.from([0, 0, 0, 4, 0, 3, 0, 0]), // claims to be 4 bytes long
      Buffer.from([0x7f, 0, 0, 0, 0, 3, 0, 0]), // claims 2 GB
      Buffer.from([0x7f, 0, 0, 0, 0]), // the same claim, the rest not sent: refused at once, not waited for
    ]) {
      const raw = await rawSocket(worker);
      raw.socket.write(packet);
      await raw.closed;
    }
    expect((await c.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('keeps what was written in its folder once closed, and opens it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bvg-pglite-worker-test-'));
    try {
      const first = await start(join(dir, 'db'));
      const c = await client(first);
      await c.query('CREATE TABLE t (v text)');
      await c.query('INSERT INTO t VALUES ($1)', ['kept']);
      await c.end();
      clients.splice(0);
      await first.close();
      started.splice(0);
      const second = await start(join(dir, 'db'));
      expect((await (await client(second)).query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
    } finally {
      for (const c of clients.splice(0)) await c.end().catch(() => {});
      for (const w of started.splice(0)) await w.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('syncs each commit in a folder to the disk: fsync on, the WAL synced by fsync(), at least one sync a commit', async () => {
    const worker = await start(join(await folder(), 'db'));
    const c = await client(worker);
    const settings = await c.query(
      "SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS method",
    );
    expect(settings.rows).toEqual([{ fsync: 'on', method: 'fsync' }]);
    await c.query('CREATE TABLE durable (v int)');
    const before = await worker.fileSyncs();
    for (let i = 0; i < 5; i += 1) await c.query('INSERT INTO durable VALUES ($1)', [i]);
    expect(await worker.fileSyncs()).toBeGreaterThanOrEqual(before + 5);
  });

  it('syncs nothing for a database in memory, which no disk keeps anyway', async () => {
    const worker = await start();
    const c = await client(worker);
    await c.query('CREATE TABLE fleeting (v int)');
    await c.query('INSERT INTO fleeting VALUES (1)');
    expect((await c.query("SELECT current_setting('fsync') AS fsync")).rows).toEqual([{ fsync: 'off' }]);
    expect(await worker.fileSyncs()).toBe(0);
  });

  it('starts a thread that ended again, on the same socket, with what was committed', async () => {
    const { told, events } = recorder();
    const worker = await start(join(await folder(), 'db'), events);
    const c = await client(worker);
    await c.query('CREATE TABLE t (v text)');
    await c.query('INSERT INTO t VALUES ($1)', ['committed']);
    await endThread(worker);
    await vi.waitFor(() => expect(told).toEqual(['ended, restart in 500', 'restarting', 'restarted']), {
      timeout: 10_000,
    });
    // The connection settings the pool holds reach the new thread.
    expect((await (await client(worker)).query('SELECT v FROM t')).rows).toEqual([{ v: 'committed' }]);
  });

  it('waits longer before each restart of a thread that keeps ending soon after it starts', async () => {
    const { told, events } = recorder();
    const worker = await start(join(await folder(), 'db'), events);
    await endThread(worker);
    await vi.waitFor(() => expect(told).toContain('restarted'), { timeout: 10_000 });
    await endThread(worker);
    await vi.waitFor(() => expect(told.filter((t) => t === 'restarted')).toHaveLength(2), { timeout: 10_000 });
    expect(told).toEqual([
      'ended, restart in 500',
      'restarting',
      'restarted',
      'ended, restart in 1000',
      'restarting',
      'restarted',
    ]);
  });

  it('does not make a new, empty database where the folder went, and serves the old one once it is back', async () => {
    const { told, events } = recorder();
    const dataDir = join(await folder(), 'db');
    const worker = await start(dataDir, events);
    const c = await client(worker);
    await c.query('CREATE TABLE t (v text)');
    await c.query('INSERT INTO t VALUES ($1)', ['kept']);
    await c.query('CREATE TABLE copy_target (v int)');
    // The folder is moved away (an unmounted disk, a careless clean-up) while the server runs.
    await rename(dataDir, `${dataDir}.away`);
    await endThread(worker);
    await vi.waitFor(() => expect(told).toContain('restart failed, retry in 1000'), { timeout: 10_000 });
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await rename(`${dataDir}.away`, dataDir);
    await vi.waitFor(() => expect(told.at(-1)).toBe('restarted'), { timeout: 15_000 });
    expect(told.slice(0, 2)).toEqual(['ended, restart in 500', 'restart failed, retry in 1000']);
    expect((await (await client(worker)).query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
  });

  it('does not start a database in memory again: a new one would be empty', async () => {
    const { told, events } = recorder();
    const worker = await start(undefined, events);
    await endThread(worker);
    await vi.waitFor(() => expect(told).toEqual(['ended, restart in undefined']), { timeout: 10_000 });
    await sleep(1_000);
    expect(told).toEqual(['ended, restart in undefined']);
    const late = new pg.Client({ ...worker.connection });
    late.on('error', () => {});
    await expect(late.connect()).rejects.toThrow();
  });

  it('starts no thread after close, even with a restart waiting', async () => {
    const { told, events } = recorder();
    const worker = await start(join(await folder(), 'db'), events);
    await endThread(worker);
    await vi.waitFor(() => expect(told).toEqual(['ended, restart in 500']), { timeout: 10_000 });
    await worker.close();
    await sleep(1_500);
    expect(told).toEqual(['ended, restart in 500']);
    await expect(stat(worker.connection.host)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ends a thread that is still opening the database when closed, and starts none after', async () => {
    const { told, events } = recorder();
    const worker = await start(join(await folder(), 'db'), events);
    await endThread(worker);
    await vi.waitFor(() => expect(told).toEqual(['ended, restart in 500', 'restarting']), { timeout: 10_000 });
    await worker.close();
    await sleep(1_500);
    expect(told).toEqual(['ended, restart in 500', 'restarting']);
    await expect(stat(worker.connection.host)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
