import { setTimeout as sleep } from 'node:timers/promises';
import { createConverseSender } from './createConverseSender.js';
import { createGraphqlClient } from './createGraphqlClient.js';
import type { EventLoopReport } from './eventLoopProbe.js';
import { freshDatabase, type DatabaseKind } from './freshDatabase.js';
import { runOpenLoop } from './runOpenLoop.js';
import { startApiProcess, type ApiProcess } from './startApiProcess.js';
import { readRefusals, refusalsSince, type PhaseRefusals } from './readRefusals.js';
import { summarisePhase, type PhaseSummary } from './summarisePhase.js';
import { processStats } from '../procStats.js';
import { watchProcess, type ProcessWatch } from './watchProcess.js';

/** What every case shares: the running emulator and how to load it. */
export interface BenchSetup {
  readonly emulatorUrl: string;
  readonly emulatorPid: () => number;
  readonly seconds: number;
  readonly warmUpSeconds: number;
  readonly timeoutMs: number;
  readonly connections: number;
  readonly apiEnv: Readonly<Record<string, string>>;
  readonly cpuProfileDir: string | undefined;
}

export interface CaseSpec {
  readonly db: DatabaseKind;
  readonly size: string;
  readonly jpeg: Uint8Array;
  readonly rate: number;
}

export interface ApiExit {
  readonly clean: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stopMs: number;
  /** The API's last output, kept when it did not exit cleanly. */
  readonly tail: string;
}

export interface CaseResult {
  readonly spec: CaseSpec;
  readonly direct: PhaseSummary;
  readonly api: PhaseSummary;
  /** The API process over phase (b). */
  readonly server: ProcessWatch;
  /** The emulator over each phase, to see whether it kept up. */
  readonly emulatorDirect: ProcessWatch;
  readonly emulatorApi: ProcessWatch;
  readonly eventLoop: EventLoopReport;
  /** Phase (b)'s admission refusals by the bound each hit. */
  readonly refusals: PhaseRefusals;
  readonly startRssBytes: number;
  /** RSS after start-up, the warm-up of (b) and a second's pause. */
  readonly idleRssBytes: number;
  readonly exit: ApiExit;
}

const warmUpRate = (rate: number) => Math.min(rate, 50);

/**
 * Stops the API the way an operator would (SIGTERM) and waits for it, then SIGKILL: `--cpu-prof` writes its profile
 * only on a clean exit, so profiling waits longer. A slow stop is requests still in flight after their clients gave
 * up, or a stop that never finishes.
 */
export async function stopApi(api: ApiProcess, setup: BenchSetup): Promise<ApiExit> {
  const started = performance.now();
  const result = await api.process.stop(setup.cpuProfileDir === undefined ? 3_000 : 30_000);
  return { ...result, stopMs: performance.now() - started, tail: result.clean ? '' : api.process.tail().slice(-1500) };
}

/**
 * One case, in the order a reader can trust: a fresh database and API process; path (a) straight to the emulator,
 * warmed up, then measured; path (b) through the API, warmed up, then measured with the API's CPU, RSS and
 * event-loop delay; the API stopped. Warm-ups run at up to 50/s and are not counted.
 */
export async function runCase(setup: BenchSetup, spec: CaseSpec): Promise<CaseResult> {
  const db = await freshDatabase(spec.db);
  const direct = createConverseSender(setup.emulatorUrl, spec.jpeg);
  let api: ApiProcess | undefined;
  let client: ReturnType<typeof createGraphqlClient> | undefined;
  try {
    api = await startApiProcess({
      databaseUrl: db.url,
      bedrockEndpoint: setup.emulatorUrl,
      extraEnv: setup.apiEnv,
      cpuProfileDir: setup.cpuProfileDir,
    });
    const startRssBytes = processStats(api.pid)?.rssBytes ?? NaN;
    const phase = (send: typeof direct.send, rate: number, seconds: number) =>
      runOpenLoop({ rate, seconds, timeoutMs: setup.timeoutMs, send });

    await phase(direct.send, warmUpRate(spec.rate), setup.warmUpSeconds);
    const emulatorDirectWatch = watchProcess(setup.emulatorPid());
    const directPhase = summarisePhase(await phase(direct.send, spec.rate, setup.seconds));
    const emulatorDirect = emulatorDirectWatch.stop();

    client = createGraphqlClient(api.origin, spec.jpeg, setup.connections);
    await phase(client.describe, warmUpRate(spec.rate), setup.warmUpSeconds);
    await sleep(1_000);
    const idleRssBytes = processStats(api.pid)?.rssBytes ?? NaN;
    await api.resetEventLoop();
    const serverWatch = watchProcess(api.pid);
    const emulatorApiWatch = watchProcess(setup.emulatorPid());
    if (setup.cpuProfileDir !== undefined) await api.startPhaseProfile();
    const refusalsBefore = await readRefusals(api.origin);
    const apiPhase = summarisePhase(await phase(client.describe, spec.rate, setup.seconds));
    const server = serverWatch.stop();
    const refusals = refusalsSince(refusalsBefore, await readRefusals(api.origin));
    if (setup.cpuProfileDir !== undefined) await api.stopPhaseProfile();
    const emulatorApi = emulatorApiWatch.stop();
    const eventLoop = await api.eventLoop();
    await client.close();
    client = undefined;
    const exit = await stopApi(api, setup);
    api = undefined;
    return {
      spec,
      direct: directPhase,
      api: apiPhase,
      server,
      emulatorDirect,
      emulatorApi,
      eventLoop,
      refusals,
      startRssBytes,
      idleRssBytes,
      exit,
    };
  } finally {
    direct.close();
    await client?.close().catch(() => {});
    if (api !== undefined) await stopApi(api, setup);
    await db.dispose();
  }
}
