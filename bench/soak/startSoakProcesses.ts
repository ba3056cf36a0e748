import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createCallTimings, type CallTiming } from '../invariants/emulatorCalls.js';
import { freePort } from '../overhead/freePort.js';
import { spawnTracked, type TrackedChild } from '../overhead/spawnTracked.js';

/** These files run from dist/bench/soak/; the app and the emulator are built to dist/src/. */
const API_MAIN = new URL('../../src/main.js', import.meta.url);
const EMULATOR_MAIN = new URL('../../src/emulator/main.js', import.meta.url);
const POSTGRES_SERVER = 'postgresql://postgres@127.0.0.1:5432';
/** The only database the soak creates or drops: kept after a run for a look, dropped by the next. */
const SOAK_DATABASE = 'bvg_soak';
/** Every call of a 10-minute soak at 200/s, and room to spare; records keep no image data. */
const MAX_RECORDED_CALLS = 2_000_000;

export async function freshSoakDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${SOAK_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${SOAK_DATABASE}`);
  } finally {
    await admin.end();
  }
  return `${POSTGRES_SERVER}/${SOAK_DATABASE}`;
}

export interface SoakEmulator {
  readonly url: string;
  readonly process: TrackedChild;
  /** When each call arrived and which fault it took, read from the emulator's log line per call. */
  readonly timings: ReadonlyMap<string, CallTiming>;
}

/**
 * The emulator in a process of its own. It logs one JSON line per call (about 20 µs of its CPU each): the line
 * carries the call's request id, the fault it consumed and how long it took, which is how the checker knows when
 * the call arrived. Calls are recorded without image data.
 */
export async function startSoakEmulator(latencyMs: number): Promise<SoakEmulator> {
  const collected = createCallTimings();
  const child = spawnTracked(
    process.execPath,
    [
      fileURLToPath(EMULATOR_MAIN),
      '--port',
      '0',
      '--latency-ms',
      String(latencyMs),
      '--max-recorded-calls',
      String(MAX_RECORDED_CALLS),
    ],
    process.env,
  );
  const url = await new Promise<string>((resolve, reject) => {
    let found = false;
    child.watchLines((line) => {
      if (!found) {
        try {
          const { url: logged } = JSON.parse(line) as { url?: unknown };
          if (typeof logged === 'string') {
            found = true;
            resolve(logged);
          }
        } catch {
          // Not JSON: ignore.
        }
      }
      collected.readLine(line);
      return false;
    });
    child.exited.then(
      ({ code }) => reject(new Error(`the emulator exited (code ${code}) before listening:\n${child.tail()}`)),
      reject,
    );
  });
  return { url, process: child, timings: collected.timings };
}

export interface SoakApi {
  readonly origin: string;
  readonly process: TrackedChild;
}

/** The API as `npm start` runs it, on the soak's database and emulator, with its own completion journal. */
export async function startSoakApi(databaseUrl: string, emulatorUrl: string): Promise<SoakApi> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulatorUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSOAK',
    AWS_SECRET_ACCESS_KEY: 'soak',
    // The default model is retired on real Bedrock; the emulator still serves it.
    MODEL_LIFECYCLE: 'off',
    // The generator is one client address with hundreds of connections, as a reverse proxy would be.
    MAX_CONNECTIONS_PER_CLIENT: '0',
    COMPLETION_JOURNAL_DIR: await mkdtemp(join(tmpdir(), 'bvg-soak-journal-')),
    // Node flags for the API alone (a heap limit, say), not for the generator that holds every answer.
    ...(process.env['SOAK_API_NODE_OPTIONS'] === undefined
      ? {}
      : { NODE_OPTIONS: process.env['SOAK_API_NODE_OPTIONS'] }),
  };
  delete env['AWS_SESSION_TOKEN'];
  delete env['AWS_PROFILE'];
  const child = spawnTracked(process.execPath, [fileURLToPath(API_MAIN)], env);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return { origin, process: child };
    } catch {
      // Not listening yet.
    }
    if (child.child.exitCode !== null) throw new Error(`the API exited before it was ready:\n${child.tail()}`);
    if (Date.now() > deadline) throw new Error(`the API was not ready in 120 s:\n${child.tail()}`);
    await sleep(100);
  }
}
