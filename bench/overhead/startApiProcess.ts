import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { EventLoopReport } from './eventLoopProbe.js';
import { freePort } from './freePort.js';
import { spawnTracked, type TrackedChild } from './spawnTracked.js';

/** This file runs from dist/bench/overhead/, beside the probe; the app's entry is built to dist/src/main.js. */
const API_MAIN = new URL('../../src/main.js', import.meta.url);
const PROBE = new URL('./eventLoopProbe.js', import.meta.url);
const READY_TIMEOUT_MS = 120_000;

export interface ApiOptions {
  readonly databaseUrl: string;
  readonly bedrockEndpoint: string;
  /**
   * Settings for the API beyond the ones set here (pool size, admission bounds…), as given to the benchmark; a
   * LOG_LEVEL given there replaces the default `warn`.
   */
  readonly extraEnv: Readonly<Record<string, string>>;
  /** When set, the API runs with `--cpu-prof --cpu-prof-dir <dir>` and writes a profile when it exits. */
  readonly cpuProfileDir: string | undefined;
}

export interface ApiProcess {
  readonly origin: string;
  readonly pid: number;
  readonly process: TrackedChild;
  readonly resetEventLoop: () => Promise<void>;
  readonly eventLoop: () => Promise<EventLoopReport>;
  /** A CPU profile of one phase, taken by the probe (only with `cpuProfileDir`); stop returns the file written. */
  readonly startPhaseProfile: () => Promise<void>;
  readonly stopPhaseProfile: () => Promise<string>;
  /** Whether /readyz answers 200 within 5 s. */
  readonly ready: () => Promise<boolean>;
}

async function probeCall(url: string): Promise<unknown> {
  const response = await fetch(url);
  const body = (await response.json()) as { error?: string };
  if (response.status !== 200) throw new Error(`${url}: ${body.error ?? response.status}`);
  return body;
}

/**
 * The API as `npm start` runs it, in a process of its own (so its CPU and memory are its own), with the event-loop
 * probe preloaded. The environment is the benchmark's own, so settings such as DATABASE_POOL_SIZE or
 * MAX_IN_FLIGHT_REQUESTS reach the API; the API ignores variables it does not know.
 */
export async function startApiProcess(options: ApiOptions): Promise<ApiProcess> {
  const [port, probePort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    ...options.extraEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: options.bedrockEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // The default model is retired on real Bedrock; the emulator still serves it.
    MODEL_LIFECYCLE: 'off',
    // Every benchmark connection comes from 127.0.0.1: the per-client cap would cut the generator off.
    MAX_CONNECTIONS_PER_CLIENT: '0',
    BENCH_EVENT_LOOP_PROBE_PORT: String(probePort),
    ...(options.cpuProfileDir === undefined ? {} : { BENCH_PHASE_PROFILE_DIR: options.cpuProfileDir }),
  };
  delete env['AWS_SESSION_TOKEN'];
  delete env['AWS_PROFILE'];
  const profiling = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir];
  const api = spawnTracked(process.execPath, [...profiling, '--import', PROBE.href, fileURLToPath(API_MAIN)], env);
  const origin = `http://127.0.0.1:${port}`;
  const probe = `http://127.0.0.1:${probePort}`;
  const ready = async (timeoutMs: number) => {
    try {
      const response = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await ready(2_000))) {
    if (api.child.exitCode !== null || api.child.signalCode !== null) {
      throw new Error(`the API exited (code ${api.child.exitCode}) before it was ready:\n${api.tail()}`);
    }
    if (Date.now() > deadline) {
      await api.stop(5_000);
      throw new Error(`the API was not ready in ${READY_TIMEOUT_MS / 1000} s:\n${api.tail()}`);
    }
    await sleep(100);
  }
  return {
    origin,
    pid: api.pid,
    process: api,
    resetEventLoop: async () => {
      await (await fetch(`${probe}/reset`)).arrayBuffer();
    },
    eventLoop: async () => (await (await fetch(`${probe}/report`)).json()) as EventLoopReport,
    startPhaseProfile: async () => {
      await probeCall(`${probe}/profile/start`);
    },
    stopPhaseProfile: async () => ((await probeCall(`${probe}/profile/stop`)) as { path: string }).path,
    ready: () => ready(5_000),
  };
}
