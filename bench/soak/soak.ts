/**
 * A soak: the API, the emulator and this load generator in three processes, a fresh PostgreSQL database, a fixed
 * arrival rate for N minutes of a mix of requests (unique describes, duplicates of recent clientRequestIds, cached
 * repeats when the API has the cache, streams over graphql-ws) with 2 % injected throttles; then the ledger's
 * invariants. See USAGE in parseSoakArgs.ts and the README's "Fault suite and soak".
 *
 *   npm run soak -- --minutes 10 --rps 200
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import sharp from 'sharp';
import { checkInvariants, formatInvariants } from '../invariants/checkInvariants.js';
import { createBillingOracle } from '../invariants/createBillingOracle.js';
import { fetchRecordedCalls, withTimings } from '../invariants/emulatorCalls.js';
import { readLedgerFromSql } from '../invariants/readLedger.js';
import { percentile, runOpenLoop } from '../overhead/runOpenLoop.js';
import { killTrackedChildren } from '../overhead/spawnTracked.js';
import { processStats } from '../procStats.js';
import { apiHasCache, createSoakClient, type SoakKind } from './createSoakClient.js';
import { parseSoakArgs } from './parseSoakArgs.js';
import { freshSoakDatabase, startSoakApi, startSoakEmulator } from './startSoakProcesses.js';

/** Shares of the mix, in order; the cached share goes to unique requests when the API has no cache. */
const MIX: readonly (readonly [SoakKind, number])[] = [
  ['duplicate', 0.05],
  ['cached', 0.05],
  ['stream', 0.1],
];
const THROTTLE_SHARE = 0.02;
/** How long recovery may take to close every row once the load stops: INSTANCE_LEASE_MS + RECOVERY_INTERVAL_MS. */
const RECOVERY_WAIT_MS = 35_000;

const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

function chooseKind(cache: boolean): SoakKind {
  let roll = Math.random();
  for (const [kind, share] of MIX) {
    if (kind === 'cached' && !cache) continue;
    if (roll < share) return kind;
    roll -= share;
  }
  return 'unique';
}

async function main(): Promise<void> {
  const options = parseSoakArgs(process.argv.slice(2));
  const cache = apiHasCache();
  const databaseUrl = await freshSoakDatabase();
  const emulator = await startSoakEmulator(options.latencyMs);
  const api = await startSoakApi(databaseUrl, emulator.url);
  const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .png()
    .toBuffer();
  const imageBase64 = image.toString('base64');
  const client = createSoakClient(api.origin, imageBase64, cache);
  const seconds = options.minutes * 60;
  console.log(
    `soak: ${options.rps}/s for ${options.minutes} min (${Math.round(options.rps * seconds)} requests), ` +
      `emulator latency ${options.latencyMs} ms, cache ${cache ? 'on (cache: true)' : 'absent: no cached repeats'}`,
  );

  // RSS: at ready, after a warm-up (a fifth of the run, at most a minute), and at the end; drift is end vs warm.
  const rssAtReady = processStats(api.process.pid)?.rssBytes;
  let rssWarm: number | undefined;
  // The JS heap beside RSS: a leak of the API's own objects shows in the heap; a native one
  // (libvips, allocator fragmentation) only in RSS.
  let heapWarm: Promise<HeapFigures | undefined> = Promise.resolve(undefined);
  const warmTimer = setTimeout(
    () => {
      rssWarm = processStats(api.process.pid)?.rssBytes;
      heapWarm = readHeapFigures(api.origin);
    },
    Math.min(60_000, (seconds * 1000) / 5),
  );
  // Once a minute: where the RSS is, so a drift can be told apart (V8's heap, buffers, the rest: native memory).
  const timeline: string[] = [];
  const sampleMemory = async () => {
    const rss = processStats(api.process.pid)?.rssBytes;
    const heap = await readHeapFigures(api.origin);
    const minute = timeline.length + 1;
    timeline.push(
      `  ${minute} min: RSS ${mb(rss)}; JS heap total ${mb(heap?.heapTotalBytes)} (young ${mb(heap?.newSpaceBytes)}, old ${mb(heap?.oldSpaceBytes)}, large objects ${mb(heap?.largeObjectSpaceBytes)}), used ${mb(heap?.heapUsedBytes)}; ` +
        `external ${mb(heap?.externalBytes)}; the rest ${heap === undefined || rss === undefined ? '?' : mb(rss - heap.heapTotalBytes - heap.externalBytes)}`,
    );
  };
  const timelineTimer = setInterval(() => void sampleMemory(), 60_000);
  let throttles = 0;
  const kinds = new Map<SoakKind, number>();
  const result = await runOpenLoop({
    rate: options.rps,
    seconds,
    timeoutMs: options.timeoutMs,
    send: async (signal) => {
      if (Math.random() < THROTTLE_SHARE) {
        throttles += 1;
        await fetch(`${emulator.url}/_emulator/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'throttle', times: 1 }),
        });
      }
      const kind = chooseKind(cache);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      return client.send(kind, signal);
    },
  });
  clearTimeout(warmTimer);
  clearInterval(timelineTimer);
  const rssEnd = processStats(api.process.pid)?.rssBytes;
  const heapEnd = await readHeapFigures(api.origin);

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const pendingCount = async () =>
    Number((await db.query(`SELECT count(*) FROM description_request WHERE status = 'PENDING'`)).rows[0].count);
  const recoveryEnd = Date.now() + RECOVERY_WAIT_MS;
  while ((await pendingCount()) > 0 && Date.now() < recoveryEnd) await sleep(500);
  const rows = await readLedgerFromSql(db);
  await db.end();
  const calls = withTimings(await fetchRecordedCalls(emulator.url), emulator.timings);
  const oracle = await createBillingOracle({ images: [imageBase64] });
  const invariants = await checkInvariants({ client: client.log, rows, calls, bill: (call) => oracle.bill(call) });
  await oracle.close();
  await client.close();
  const stopped = await api.process.stop(40_000);
  await emulator.process.stop(5_000);

  const latencies = result.answers.map((a) => a.latencyMs).sort((a, b) => a - b);
  const outcomes = new Map<string, number>();
  for (const { outcome } of result.answers) outcomes.set(outcome.code, (outcomes.get(outcome.code) ?? 0) + 1);
  const warm = rssWarm ?? rssAtReady;
  const drift = warm !== undefined && rssEnd !== undefined ? ((rssEnd - warm) / warm) * 100 : NaN;
  const lines = [
    `requests sent: ${result.answers.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); throttles injected: ${throttles}`,
    `rows written: ${rows.length}; model calls: ${calls.length}`,
    'outcomes by code:',
    ...[...outcomes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `  ${code}: ${n}`),
    `latency: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms; ` +
      `generator send lag p99 ${result.sendLagP99Ms.toFixed(1)} ms`,
    `API RSS: at ready ${mb(rssAtReady)}, after warm-up ${mb(rssWarm)}, at end ${mb(rssEnd)} (drift ${drift.toFixed(1)} % since warm-up)`,
    `API JS heap used / external: after warm-up ${heapText(await heapWarm)}, at end ${heapText(heapEnd)}`,
    'API memory by minute (the rest: RSS less the JS heap V8 holds and external memory):',
    ...timeline,
    `API stop on SIGTERM: exit code ${stopped.code}${stopped.clean ? '' : ' (not clean)'}`,
    'invariants:',
    formatInvariants(invariants).replace(/^/gm, '  '),
  ];
  console.log(lines.join('\n'));
  if (!invariants.every((i) => i.pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  killTrackedChildren();
  process.exitCode = 1;
});

interface HeapFigures {
  readonly heapUsedBytes: number;
  /** What V8 holds for the heap (used or not): the part of RSS the JS heap accounts for. */
  readonly heapTotalBytes: number;
  /**
   * Of heapTotalBytes: the young generation (V8 grows it under a high allocation rate), the old one, and the objects
   * too large for either (a request's base64 image, a large response), which V8 keeps in a space of their own.
   */
  readonly newSpaceBytes: number;
  readonly oldSpaceBytes: number;
  readonly largeObjectSpaceBytes: number;
  readonly externalBytes: number;
}

/** The API's own prom-client process metrics (GET /metrics is open to loopback by default). */
async function readHeapFigures(origin: string): Promise<HeapFigures | undefined> {
  try {
    const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const heapUsedBytes = gauge('nodejs_heap_size_used_bytes');
    const heapTotalBytes = gauge('nodejs_heap_size_total_bytes');
    const newSpaceBytes = gauge('nodejs_heap_space_size_total_bytes\\{space="new"\\}');
    const oldSpaceBytes = gauge('nodejs_heap_space_size_total_bytes\\{space="old"\\}');
    const largeObjectSpaceBytes = gauge('nodejs_heap_space_size_total_bytes\\{space="large_object"\\}');
    const externalBytes = gauge('nodejs_external_memory_bytes');
    return Number.isFinite(heapUsedBytes)
      ? { heapUsedBytes, heapTotalBytes, newSpaceBytes, oldSpaceBytes, largeObjectSpaceBytes, externalBytes }
      : undefined;
  } catch {
    return undefined;
  }
}

const heapText = (figures: HeapFigures | undefined) =>
  figures === undefined ? 'unknown' : `${mb(figures.heapUsedBytes)} / ${mb(figures.externalBytes)}`;
