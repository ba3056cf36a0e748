import { pino, type Logger } from 'pino';
import type { AppConfig } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startApp, type RunningApp } from '../../src/startApp.js';
import type { DatabaseKind } from '../helpers/databases.js';
import { freshDatabase, TEST_CREDENTIALS, testConfig, type TestDatabase } from '../helpers/startTestApp.js';

export interface ObservedApp {
  readonly app: RunningApp;
  readonly emulator: Emulator;
  /** http://127.0.0.1:port, without a path. */
  readonly origin: string;
  /** POSTs an operation and returns the response as fetch gives it (headers included). */
  post(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The app as startTestApp starts it (fresh database, the emulator, the real SDK), with the
 * telemetry settings and the logger a test chooses, and one attempt per model call so that an
 * injected fault fails the call at once.
 */
export async function startObservedApp(
  kind: DatabaseKind,
  settings: Partial<Pick<AppConfig, 'metrics' | 'tracing' | 'admission'>> = {},
  logger: Logger = pino({ level: 'silent' }),
): Promise<ObservedApp> {
  const emulator = await startEmulator({ port: 0 });
  let database: TestDatabase | undefined;
  try {
    database = await freshDatabase(kind);
    const base = testConfig(database.config, emulator.url, { maxAttempts: 1 });
    const app = await startApp({ ...base, ...settings }, { logger, credentials: TEST_CREDENTIALS });
    const origin = `http://127.0.0.1:${app.address.port}`;
    const db = database;
    return {
      app,
      emulator,
      origin,
      post: (query, variables = {}, headers = {}) =>
        fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query, variables }),
        }),
      async stop() {
        await app.stop();
        await emulator.close();
        await db.cleanup();
      },
    };
  } catch (error) {
    await emulator.close();
    await database?.cleanup();
    throw error;
  }
}
