import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations, type MigrationLog, type SqlSession } from './applyMigrations.js';
import { createDescriptionRepository, type DescriptionRepository } from './createDescriptionRepository.js';
import { createHistoryReader, type HistoryReader } from './createHistoryReader.js';
import type { DriverQuery, DriverQueryOptions } from './DriverQuery.js';
import { lockPgliteFolder, type FolderLock } from './lockPgliteFolder.js';
import { createPgliteFolder } from './createPgliteFolder.js';
import { makeFolderDurably } from './makeFolderDurably.js';
import { startPgliteWorker, type PgliteWorker } from './startPgliteWorker.js';
import { refuseWhenUnavailable } from './refuseWhenUnavailable.js';
import { createHistoryCursorCodec, type HistoryCursorCodec } from './historyCursor.js';
import { createApiKeyRepository, type ApiKeyRepository } from './createApiKeyRepository.js';
import { createInstanceLease, type InstanceLease } from './createInstanceLease.js';
import { timeQueueing } from './timeQueueing.js';
import { boundPoolQueries } from './boundPoolQueries.js';
import { createCompletionJournal } from './completionJournal.js';
import { replayJournalEntry } from './replayJournalEntry.js';
import { withDurableCompletion } from './withDurableCompletion.js';
import { readEstimateSamples, type EstimateSample } from './estimateSamplesSql.js';
import { join } from 'node:path';
import { packageRoot } from '../packageRoot.js';

export interface Store {
  readonly kind: DatabaseConfig['kind'];
  readonly descriptions: DescriptionRepository;
  readonly history: HistoryReader;
  readonly apiKeys: ApiKeyRepository;
  /**
   * Writes the completions kept in the journal (this instance's, and those of instances that are
   * gone) that the database could not take when they happened; returns how many were applied.
   */
  replayCompletions(): Promise<number>;
  /** This process's instance lease, when it took one (OpenStoreOptions.leaseTtlMs). */
  readonly lease: InstanceLease | undefined;
  readonly cursors: HistoryCursorCodec;
  /**
   * Each model's estimated against actual input tokens over the last `windowDays` days: what the
   * estimate's calibration learns from (read on a schedule, never on the request path).
   */
  estimateSamples(windowDays: number, maxRows: number): Promise<EstimateSample[]>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  /** The PostgreSQL pool's connections right now (for metrics and admission); undefined on PGlite's one connection. */
  poolUsage(): PoolUsage | undefined;
  close(): Promise<void>;
}

export interface PoolUsage {
  readonly max: number;
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a connection: above zero, the pool is the bottleneck. */
  readonly waiting: number;
  /** How long statements have all had to queue for a connection lately (createQueueDelay). */
  readonly queueDelayMs: number;
}

export interface OpenStoreOptions {
  readonly log: MigrationLog;
  /** Defaults to this package's prisma/migrations. */
  readonly migrationsDir?: string;
  /**
   * Take an instance lease of this many ms (a server does; a command such as `keys` does not):
   * rows written through this store then name this process as their owner (see createInstanceLease).
   */
  readonly leaseTtlMs?: number;
  /** With a lease: completion writes survive a database outage (see withDurableCompletion). */
  readonly completion?: { readonly retryMs: number; readonly journalDir: string };
}

// PGlite's Postgres keeps its shared buffers in the WebAssembly heap: at the default 128 MB they
// were 150 MB of a 300 MB idle process. A laptop's ledger works in far less, and the operating
// system still caches the files underneath.
const PGLITE_START_PARAMS = ['-c', 'shared_buffers=32MB'];

// Any constant works; it only has to be the same for every instance of this app.
const MIGRATION_LOCK_KEY = 727_340_118;

async function openPglite(config: Extract<DatabaseConfig, { kind: 'pglite' | 'pglite-memory' }>, log: MigrationLog) {
  let lock: FolderLock | undefined;
  if (config.kind === 'pglite') {
    await makeFolderDurably(config.dataDir);
    // One process per folder: PGlite takes no lock of its own, and two writers lose each other's rows.
    lock = await lockPgliteFolder(config.dataDir, log);
  }
  let worker: PgliteWorker;
  try {
    if (config.kind === 'pglite') await createPgliteFolder(config.dataDir, PGLITE_START_PARAMS);
    worker = await startPgliteWorker({
      dataDir: config.kind === 'pglite' ? config.dataDir : undefined,
      startParams: PGLITE_START_PARAMS,
      onUnexpectedExit: (why, restartInMs) =>
        log.warn(
          restartInMs === undefined
            ? `The PGlite thread ended (${why}): every statement fails until the server is restarted`
            : `The PGlite thread ended (${why}): statements fail until it is started again, in ${restartInMs} ms`,
        ),
      onRestarting: () => log.info('The PGlite thread is starting again'),
      onRestarted: () => log.info('The PGlite thread started again; statements are served'),
      onRestartFailed: (why, retryInMs) =>
        log.warn(`The PGlite thread could not start again (${why}); next try in ${retryInMs} ms`),
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  // PGlite is one session: one connection, kept open, which statements queue for as they did for PGlite itself. No
  // bound on that queue or on a statement: with one connection, one slow statement (a usage summary on a large
  // ledger) would make every statement behind it, and every new request, a refusal on a laptop's own server.
  const pool = new pg.Pool({ ...worker.connection, max: 1, idleTimeoutMillis: 0 });
  // The connection closing while idle (the thread ended) emits here; without a listener Node would exit.
  pool.on('error', () => {});
  // One process per folder (the lock above): migrations need no lock of their own.
  async function withMigrationSession<T>(f: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      return await f(sessionOf(client));
    } finally {
      client.release();
    }
  }
  const closeDriver = async () => {
    await pool.end();
    await worker.close();
    await lock?.release();
  };
  return {
    adapter: new PrismaPg(pool),
    withMigrationSession,
    driver: poolDriver(pool),
    poolUsage: (): PoolUsage | undefined => undefined,
    closeDriver,
  };
}

/** Migrations' view of one pooled connection. */
function sessionOf(client: pg.PoolClient): SqlSession {
  return { query: (sql, params) => client.query(sql, params), exec: (sql) => client.query(sql) };
}

/** The driver over a node-postgres pool, PostgreSQL's or the PGlite thread's. */
function poolDriver(pool: pg.Pool): DriverQuery {
  return async <T>(query: Prisma.Sql, options?: DriverQueryOptions) =>
    (await pool.query({ name: options?.prepareAs, text: query.text, values: query.values })).rows as T[];
}

function openPostgres(config: Extract<DatabaseConfig, { kind: 'postgres' }>) {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    // Also bounds the wait for a free connection when all are busy: past it, a refusal
    // (SERVICE_UNAVAILABLE) instead of a queue that grows with the load.
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // A connection whose server vanished (failover, a dropped NAT entry) is found by the kernel.
    keepAlive: true,
  });
  // An idle connection the server closes (restart, failover) emits here; without a listener Node would exit.
  pool.on('error', () => {});
  const queueDelay = timeQueueing(pool, config.poolSize);
  // A frozen server (SIGSTOP, a hung host) enforces no statement_timeout: every statement through pool.query, the
  // driver's and Prisma's, is given up a second after it. A migration (withMigrationSession) takes a connection of
  // its own and runs as long as it must.
  boundPoolQueries(pool, config.statementTimeoutMs + 1_000);
  const adapter = new PrismaPg(pool);
  // Several servers may start at once behind a load balancer: one migrates, the others wait.
  async function withMigrationSession<T>(f: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      // An index build on a large ledger takes longer than any request may.
      await client.query('SET statement_timeout = 0');
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        return await f(sessionOf(client));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      // Not back into the pool with its statement_timeout off.
      client.release(true);
    }
  }
  const driver = poolDriver(pool);
  const poolUsage = (): PoolUsage => ({
    max: config.poolSize,
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    queueDelayMs: queueDelay.current(),
  });
  return { adapter, withMigrationSession, driver, poolUsage, closeDriver: () => pool.end() };
}

/**
 * A random key created once per database and shared by every server on it, so a cursor
 * issued by one server behind a load balancer is accepted by the others.
 */
async function sharedSecret(prisma: PrismaClient, key: string): Promise<Buffer> {
  await prisma.appSetting.createMany({
    data: [{ key, value: randomBytes(32).toString('base64') }],
    skipDuplicates: true,
  });
  const { value } = await prisma.appSetting.findUniqueOrThrow({ where: { key } });
  return Buffer.from(value, 'base64');
}

/**
 * Opens the ledger database named by the config, applies pending migrations, and
 * returns the repositories. The only place that knows which database is in use.
 */
export async function openStore(config: DatabaseConfig, options: OpenStoreOptions): Promise<Store> {
  const migrationsDir = options.migrationsDir ?? join(packageRoot(), 'prisma', 'migrations');
  const opened = config.kind === 'postgres' ? openPostgres(config) : await openPglite(config, options.log);
  try {
    await opened.withMigrationSession((session) => applyMigrations(session, migrationsDir, options.log));
  } catch (error) {
    await opened.closeDriver();
    throw error;
  }
  const { adapter, closeDriver, driver, poolUsage } = opened;
  const prisma = new PrismaClient({ adapter });
  const lease = options.leaseTtlMs === undefined ? undefined : await createInstanceLease(driver, options.leaseTtlMs);
  const descriptions = refuseWhenUnavailable(
    createDescriptionRepository(prisma, driver, lease?.id ?? null, (message) => options.log.warn(message)),
  );
  const journal =
    lease === undefined || options.completion === undefined
      ? undefined
      : createCompletionJournal(options.completion.journalDir, lease.id, (message) => options.log.warn(message));
  return {
    kind: config.kind,
    descriptions:
      journal === undefined
        ? descriptions
        : withDurableCompletion(descriptions, { retryMs: options.completion!.retryMs, journal }),
    async replayCompletions() {
      if (journal === undefined || lease === undefined) return 0;
      return journal.replay((entry) => replayJournalEntry(driver, entry), await lease.liveInstanceIds());
    },
    lease,
    history: refuseWhenUnavailable(createHistoryReader(prisma, driver)),
    apiKeys: refuseWhenUnavailable(createApiKeyRepository(driver)),
    cursors: createHistoryCursorCodec(await sharedSecret(prisma, 'history-cursor-key')),
    estimateSamples: (windowDays, maxRows) => readEstimateSamples(driver, windowDays, maxRows),
    async ping() {
      await driver(Prisma.sql`SELECT 1`);
    },
    poolUsage,
    async close() {
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}
