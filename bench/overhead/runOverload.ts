import { setTimeout as sleep } from 'node:timers/promises';
import { createGraphqlClient } from './createGraphqlClient.js';
import type { EventLoopReport } from './eventLoopProbe.js';
import { freshDatabase } from './freshDatabase.js';
import { stopApi, type ApiExit, type BenchSetup } from './runCase.js';
import { runOpenLoop } from './runOpenLoop.js';
import { startApiProcess, type ApiProcess } from './startApiProcess.js';
import { readRefusals, refusalsSince, type PhaseRefusals } from './readRefusals.js';
import { summarisePhase, type PhaseSummary } from './summarisePhase.js';
import { watchProcess, type ProcessWatch } from './watchProcess.js';

const WARM_UP_RATE = 50;
/** How long to wait for requests the server still holds to end before counting rows. */
const SETTLE_TIMEOUT_MS = 30_000;

export interface OverloadResult {
  readonly rate: number;
  readonly seconds: number;
  /** The warm-up's requests: sent, served, refused with 503. */
  readonly warmUp: Pick<PhaseSummary, 'sent' | 'served' | 'refused503'>;
  readonly phase: PhaseSummary;
  /** The phase's admission refusals by the bound each hit. */
  readonly refusals: PhaseRefusals;
  readonly server: ProcessWatch;
  readonly emulator: ProcessWatch;
  readonly eventLoop: EventLoopReport | undefined;
  /** The process was running and /readyz answered 200 after the load. */
  readonly aliveAfter: boolean;
  /** From `history` once no row was PENDING any more, or when SETTLE_TIMEOUT_MS ran out. */
  readonly rows: { readonly all: number; readonly pending: number; readonly waitedMs: number } | string;
  readonly exit: ApiExit;
}

/**
 * Far more requests than the API can serve (10 KB describeImage on PostgreSQL): it should refuse what it cannot
 * take at once (503 with Retry-After) rather than queue without bound, stay alive, and leave exactly one finished
 * row per request it served. Its database is fresh, so every row counted comes from this process.
 */
export async function runOverload(
  setup: BenchSetup,
  jpeg: Uint8Array,
  rate: number,
  seconds: number,
): Promise<OverloadResult> {
  const db = await freshDatabase('postgres');
  let api: ApiProcess | undefined;
  let client: ReturnType<typeof createGraphqlClient> | undefined;
  try {
    api = await startApiProcess({
      databaseUrl: db.url,
      bedrockEndpoint: setup.emulatorUrl,
      extraEnv: setup.apiEnv,
      cpuProfileDir: setup.cpuProfileDir,
    });
    client = createGraphqlClient(api.origin, jpeg, setup.connections);
    const warmUp = summarisePhase(
      await runOpenLoop({
        rate: WARM_UP_RATE,
        seconds: setup.warmUpSeconds,
        timeoutMs: setup.timeoutMs,
        send: client.describe,
      }),
    );
    await sleep(1_000);
    await api.resetEventLoop();
    const watch = watchProcess(api.pid);
    const emulatorWatch = watchProcess(setup.emulatorPid());
    if (setup.cpuProfileDir !== undefined) await api.startPhaseProfile();
    const refusalsBefore = await readRefusals(api.origin);
    const phase = summarisePhase(
      await runOpenLoop({ rate, seconds, timeoutMs: setup.timeoutMs, send: client.describe }),
    );
    const server = watch.stop();
    const refusals = refusalsSince(refusalsBefore, await readRefusals(api.origin).catch(() => new Map()));
    const emulator = emulatorWatch.stop();
    if (setup.cpuProfileDir !== undefined) await api.stopPhaseProfile().catch(() => undefined);
    const eventLoop = await api.eventLoop().catch(() => undefined);
    const aliveAfter = api.process.child.exitCode === null && (await api.ready());
    const rows = aliveAfter ? await settledRows(client) : 'API not answering';
    await client.close();
    client = undefined;
    const exit = await stopApi(api, setup);
    api = undefined;
    return {
      rate,
      seconds,
      warmUp: { sent: warmUp.sent, served: warmUp.served, refused503: warmUp.refused503 },
      phase,
      refusals,
      server,
      emulator,
      eventLoop,
      aliveAfter,
      rows,
      exit,
    };
  } finally {
    await client?.close().catch(() => {});
    if (api !== undefined) await stopApi(api, setup);
    await db.dispose();
  }
}

/** Waits a few seconds, then until no row is PENDING (or the timeout), and returns the counts. */
async function settledRows(client: ReturnType<typeof createGraphqlClient>): Promise<OverloadResult['rows']> {
  const started = performance.now();
  await sleep(3_000);
  try {
    for (;;) {
      const counts = await client.historyCounts();
      const waitedMs = performance.now() - started;
      if (counts.pending === 0 || waitedMs > SETTLE_TIMEOUT_MS) return { ...counts, waitedMs };
      await sleep(1_000);
    }
  } catch (error) {
    return `history failed: ${(error as Error).message}`;
  }
}
