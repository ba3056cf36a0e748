/**
 * Emulator benchmark: can the Bedrock emulator serve 1 000 Converse calls a second with a 10 KB JPEG on one core,
 * with a latency set, so that it never limits a benchmark or a soak?
 *
 * Processes: this one (it only starts the others and reads /proc), the emulator (`dist/src/emulator/main.js
 * --latency-ms 100`), and load generators (loadGenerator.ts, two by default) that start calls through the real AWS
 * SDK on one fixed arrival schedule, each taking every other call. Per case it prints the achieved rate, latency,
 * errors by kind, the emulator's CPU (utime + stime from /proc/<pid>/stat: cores = CPU seconds / wall seconds, and
 * CPU per call) and its RSS (at the start of the case, and its peak VmHWM during it).
 *
 * The SDK costs its caller about 1 ms of CPU per call, so on a 2-core machine the generators need as much CPU as the
 * emulator or more. Where they cannot start calls on time ("start lag"), the emulator's CPU per call is the number
 * that says what one core of it serves (1 000/s needs ≤ 1 ms per call), and the `http2` cases, which send the same
 * JSON without the SDK's work, show the emulator at the full rate.
 *
 *   npm run bench:emulator -- [--seconds 10] [--sdk-rates 600,1000,1500] [--http2-rates 1000,1500] [--generators 2]
 *     [--clients 4] [--only sdk,http2,distinct,sdk-session-per-call] [--emulator path/to/main.js] [--profile-dir DIR]
 */
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import type { LoadCase, LoadResult } from './loadCase.js';
import { noisyJpeg } from './noisyJpeg.js';
import { processStats, resetPeakRss } from '../procStats.js';

/** A reading of a process that must still be running. */
function statsOf(pid: number) {
  const stats = processStats(pid);
  if (stats === undefined) throw new Error(`process ${pid} has exited`);
  return stats;
}

const LATENCY_MS = 100;
const IMAGE_BYTES = 10_000;
/** Every call a new image costs a full decode (10 to 20 ms of CPU): a rate the emulator can carry on one core. */
const DISTINCT_IMAGE_RATE = 50;
/** A connection and session per call costs the SDK generator about 1.5 ms of CPU: more and it falls behind. */
const SESSION_PER_CALL_RATE = 500;

/** What all generators of a case saw together. */
interface Merged {
  sent: number;
  ok: number;
  errors: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  startLagP99Ms: number;
  wallSeconds: number;
  cpuSeconds: number;
}

type CaseShape = Omit<LoadCase, 'url' | 'jpegBase64' | 'seed' | 'startAtMs' | 'shard'>;

interface Row {
  label: string;
  loadCase: CaseShape;
  result: Merged;
  emulatorCpuSeconds: number;
  emulatorWallSeconds: number;
  emulatorStartRss: number;
  /** Peak RSS during the case, or since the emulator started where Linux refused to reset the peak. */
  emulatorPeakRss: number;
  peakReset: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`The emulator exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`The emulator did not listen on ${port}`);
}

function startEmulatorProcess(main: string, port: number, profileDir: string | undefined): ChildProcess {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  // Its log (a line per call) goes to /dev/null: written, as in any run, but not read by anyone.
  return spawn(process.execPath, [...profile, main, '--port', String(port), '--latency-ms', String(LATENCY_MS)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function runShard(generator: ChildProcess, loadCase: LoadCase): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`The load generator exited with ${code}`));
    generator.once('exit', onExit);
    generator.once('message', (result) => {
      generator.off('exit', onExit);
      resolve(result as LoadResult);
    });
    generator.send(loadCase);
  });
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Starts the case on every generator, each with its share of one schedule, and merges what they saw. */
async function runCase(generators: readonly ChildProcess[], loadCase: Omit<LoadCase, 'shard'>): Promise<Merged> {
  const results = await Promise.all(
    generators.map((generator, index) =>
      runShard(generator, { ...loadCase, shard: { index, count: generators.length } }),
    ),
  );
  const latencies = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const lags = results.flatMap((r) => r.startLagsMs).sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const r of results) for (const [kind, n] of Object.entries(r.errors)) errors[kind] = (errors[kind] ?? 0) + n;
  return {
    sent: results.reduce((sum, r) => sum + r.sent, 0),
    ok: latencies.length,
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    startLagP99Ms: percentile(lags, 99),
    wallSeconds: (Math.max(...results.map((r) => r.lastAnswerAtMs)) - loadCase.startAtMs) / 1000,
    cpuSeconds: results.reduce((sum, r) => sum + r.cpuSeconds, 0),
  };
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function render(rows: readonly Row[]): string {
  const header = [
    'case',
    'client',
    'offered/s',
    'achieved/s',
    'ok',
    'errors',
    'p50 ms',
    'p99 ms',
    'start lag p99 ms',
    'emulator cores',
    'emulator CPU ms/call',
    'emulator RSS start → peak',
    'generator cores',
  ];
  const mb = (bytes: number): string => fixed(bytes / 1024 / 1024, 0);
  const body = rows.map((row) => [
    row.label,
    row.loadCase.client,
    String(row.loadCase.rate),
    fixed(row.result.ok / row.result.wallSeconds, 0),
    `${row.result.ok}/${row.result.sent}`,
    String(row.result.sent - row.result.ok),
    fixed(row.result.p50Ms),
    fixed(row.result.p99Ms),
    fixed(row.result.startLagP99Ms),
    fixed(row.emulatorCpuSeconds / row.emulatorWallSeconds, 2),
    fixed((row.emulatorCpuSeconds * 1000) / row.result.sent, 3),
    `${mb(row.emulatorStartRss)} → ${mb(row.emulatorPeakRss)} MB${row.peakReset ? '' : ' (peak since start)'}`,
    fixed(row.result.cpuSeconds / row.result.wallSeconds, 2),
  ]);
  return table(header, body);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      // 600/s is about what SDK generators sustain beside the emulator on 2 cores; above it they fall behind.
      'sdk-rates': { type: 'string', default: '600,1000,1500' },
      'http2-rates': { type: 'string', default: '1000,1500' },
      clients: { type: 'string', default: '4' },
      generators: { type: 'string', default: '2' },
      'profile-dir': { type: 'string' },
      // Another build of the emulator (e.g. an older commit's), to compare like with like.
      emulator: { type: 'string', default: fileURLToPath(new URL('../../src/emulator/main.js', import.meta.url)) },
      // Only the cases whose client is one of these (sdk, http2, sdk-session-per-call), and `distinct` for new images.
      only: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const rates = (list: string): number[] => list.split(',').map(Number);
  const clients = Number(values.clients);
  const generatorCount = Number(values.generators);
  const jpeg = await noisyJpeg(IMAGE_BYTES);
  console.log('Emulator benchmark: Converse through the AWS SDK, open loop, emulator latency 100 ms');
  console.log(
    `node ${process.version}, ${cpus().length} CPUs; image: ${jpeg.length} B noisy JPEG; ` +
      `${generatorCount} generator processes × ${clients} clients`,
  );

  const port = await freePort();
  const emulator = startEmulatorProcess(values.emulator, port, values['profile-dir']);
  const generators = Array.from({ length: generatorCount }, () =>
    fork(fileURLToPath(new URL('./loadGenerator.js', import.meta.url))),
  );
  const rows: Row[] = [];
  try {
    await waitForPort(port, emulator);
    const pid = emulator.pid as number;
    const base = { url: `http://127.0.0.1:${port}`, jpegBase64: jpeg.toString('base64') };
    const sdkRates = rates(values['sdk-rates']);
    const same = (client: LoadCase['client'], rate: number): CaseShape => ({
      rate,
      seconds,
      clients,
      client,
      images: 'same',
    });
    const cases: { label: string; loadCase: CaseShape; measured: boolean }[] = [
      // JIT and sessions warm, at a rate any build of the emulator can answer (an old one decodes every image).
      { label: 'warm-up', loadCase: { ...same('sdk', Math.min(500, ...sdkRates)), seconds: 3 }, measured: false },
      ...sdkRates.map((rate) => ({
        label: 'same image',
        loadCase: same('sdk', rate),
        measured: true,
      })),
      ...rates(values['http2-rates']).map((rate) => ({
        label: 'same image',
        loadCase: same('http2', rate),
        measured: true,
      })),
      {
        label: 'new image every call',
        loadCase: { ...same('sdk', DISTINCT_IMAGE_RATE), images: 'distinct' },
        measured: true,
      },
      // Last: thousands of sessions leave the emulator's heap larger than the cases above need.
      { label: 'same image', loadCase: same('sdk-session-per-call', SESSION_PER_CALL_RATE), measured: true },
    ];
    const only = values.only?.split(',');
    const wanted = ({ loadCase, measured }: (typeof cases)[number]): boolean =>
      !measured || only === undefined || only.includes(loadCase.images === 'distinct' ? 'distinct' : loadCase.client);
    for (const [seed, { label, loadCase, measured }] of cases.entries()) {
      if (!wanted({ label, loadCase, measured })) continue;
      const emulatorStartRss = statsOf(pid).rssBytes;
      const peakReset = resetPeakRss(pid);
      const cpuBefore = statsOf(pid).cpuMs / 1000;
      const wallBefore = performance.now();
      // A head start, so the first calls are not late because the generators were still reading the case.
      const result = await runCase(generators, { ...base, ...loadCase, seed, startAtMs: Date.now() + 50 });
      const emulatorCpuSeconds = statsOf(pid).cpuMs / 1000 - cpuBefore;
      const emulatorWallSeconds = (performance.now() - wallBefore) / 1000;
      if (!measured) continue;
      rows.push({
        label,
        loadCase,
        result,
        emulatorCpuSeconds,
        emulatorWallSeconds,
        emulatorStartRss,
        emulatorPeakRss: statsOf(pid).vmHwmBytes,
        peakReset,
      });
      console.log(`  ${label}, ${loadCase.client}, ${loadCase.rate}/s: done`);
    }
  } finally {
    for (const generator of generators) generator.disconnect();
    emulator.kill('SIGINT');
    await once(emulator, 'exit');
  }
  console.log();
  console.log(render(rows));
  const errors = new Map<string, number>();
  for (const { result } of rows) {
    for (const [kind, n] of Object.entries(result.errors)) errors.set(kind, (errors.get(kind) ?? 0) + n);
  }
  console.log();
  console.log(errors.size === 0 ? 'Errors: none' : 'Errors by kind:');
  for (const [kind, count] of errors) console.log(`  ${count} × ${kind}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
