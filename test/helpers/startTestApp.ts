import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type AppConfig, type DatabaseConfig, DEFAULT_POSTGRES_POOL } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startApp, type RunningApp } from '../../src/startApp.js';
import { createFreshPostgresDatabase, type DatabaseKind } from './databases.js';
import { gql, type GraphQLResponse } from './graphqlClient.js';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };

export interface TestDatabase {
  readonly config: DatabaseConfig;
  cleanup(): Promise<void>;
}

/** A fresh, empty database of the given kind: an in-memory PGlite, or a new PostgreSQL database. */
export async function freshDatabase(kind: DatabaseKind | 'pglite-folder'): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const db = await createFreshPostgresDatabase();
    return { config: { kind: 'postgres', url: db.url, ...DEFAULT_POSTGRES_POOL }, cleanup: () => db.drop() };
  }
  if (kind === 'pglite-folder') {
    const dir = mkdtempSync(join(tmpdir(), 'bvg-pglite-'));
    return {
      config: { kind: 'pglite', dataDir: dir },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  return { config: { kind: 'pglite-memory' }, cleanup: async () => {} };
}

/** Config as main.ts would build it, pointed at the emulator and the given database. */
export function testConfig(
  database: DatabaseConfig,
  emulatorUrl: string,
  overrides: Partial<AppConfig['bedrock']> = {},
  images: Partial<AppConfig['images']> = {},
): AppConfig {
  const base = loadConfig({ LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
  return {
    ...base,
    database,
    bedrock: {
      ...base.bedrock,
      endpoint: emulatorUrl,
      maxAttempts: 3,
      connectionTimeoutMs: 2_000,
      requestTimeoutMs: 2_000,
      // As in `npm run dev`: the emulator serves the seed's retired default model.
      modelLifecycle: 'off',
      ...overrides,
    },
    images: { ...base.images, ...images },
    // The server shares its event loop with the test and its other servers, whose work would read
    // as CPU overload, and tests that race many requests queue on the pool on purpose;
    // test/unit/createAdmission.test.ts and test/admission.test.ts cover those bounds.
    admission: { ...base.admission, maxEventLoopDelayMs: 60_000, maxDatabaseWaitMs: 0 },
    // Keys made by a test apply to its next request; test/auth covers the cache itself.
    auth: { ...base.auth, keyCacheTtlMs: 0 },
    // Each app's own completion journal, never the checkout's data/ folder.
    completion: { ...base.completion, journalDir: mkdtempSync(join(tmpdir(), 'bvg-journal-')) },
  };
}

export interface TestApp {
  readonly url: string;
  readonly app: RunningApp;
  readonly emulator: Emulator;
  readonly database: TestDatabase;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Stops the server and the emulator; keeps the database unless `keepDatabase`. */
  stop(options?: { keepDatabase?: boolean }): Promise<void>;
}

/**
 * The whole product as a user runs it: the real server, the real AWS SDK, the Bedrock
 * emulator over HTTP/2, and a fresh database of the given kind.
 */
export async function startTestApp(
  kind: DatabaseKind | 'pglite-folder',
  options: {
    database?: TestDatabase;
    emulator?: Emulator;
    bedrock?: Partial<AppConfig['bedrock']>;
    images?: Partial<AppConfig['images']>;
    /** Top-level settings such as historyRetentionDays. */
    config?: Partial<
      Pick<
        AppConfig,
        | 'historyRetentionDays'
        | 'retentionIntervalMs'
        | 'playground'
        | 'admission'
        | 'http'
        | 'production'
        | 'auth'
        | 'recovery'
        | 'completion'
        | 'idempotencyWaitMs'
        | 'metrics'
        | 'cache'
      >
    >;
  } = {},
): Promise<TestApp> {
  const emulator = options.emulator ?? (await startEmulator({ port: 0 }));
  const database = options.database ?? (await freshDatabase(kind));
  const config = { ...testConfig(database.config, emulator.url, options.bedrock, options.images), ...options.config };
  const app = await startApp(config, {
    logger: pino({ level: 'silent' }),
    credentials: TEST_CREDENTIALS,
  });
  const url = `http://127.0.0.1:${app.address.port}/graphql`;
  return {
    url,
    app,
    emulator,
    database,
    gql: (query, variables) => gql(url, query, variables),
    async stop(stopOptions = {}) {
      await app.stop();
      if (options.emulator === undefined) await emulator.close();
      if (!stopOptions.keepDatabase) await database.cleanup();
    },
  };
}
