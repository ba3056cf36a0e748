/**
 * What the API adds to a Bedrock call, measured as a user would: a load generator (this process), the project's
 * Bedrock emulator at a fixed 100 ms and the API, each in its own process. Per case (database × image size ×
 * rate) the same Converse request goes (a) straight to the emulator with the AWS SDK and (b) through
 * `describeImage`, each as an open loop at a fixed arrival rate; then an overload case. See USAGE in
 * parseOverheadArgs.ts, and README.md beside this file.
 *
 *   npm run bench:overhead [-- --quick | --db postgres --size 10k --rate 300 | --cpu-prof | --update-readme]
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMarkdown } from './formatMarkdown.js';
import { removePgliteDirsSync } from './freshDatabase.js';
import { makeNoiseJpeg } from './makeNoiseJpeg.js';
import { FORWARDED_SETTINGS, parseOverheadArgs, SIZES, USAGE, type OverheadOptions } from './parseOverheadArgs.js';
import { describeCase, formatErrors, formatSeconds, renderResults, type RunFacts } from './renderResults.js';
import { runCase, type BenchSetup, type CaseResult, type CaseSpec } from './runCase.js';
import { runOverload, type OverloadResult } from './runOverload.js';
import { killTrackedChildren } from './spawnTracked.js';
import { startEmulatorProcess, type EmulatorProcess } from './startEmulatorProcess.js';
import { startOtlpSink } from './startOtlpSink.js';
import { formatProfileSummary, summariseProfile, type CpuProfile } from './summariseProfile.js';
import { updateReadme } from './updateReadme.js';
import { processStats } from '../procStats.js';

const RESULTS = fileURLToPath(new URL('../../../bench/overhead/results.md', import.meta.url));
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
/** The emulator keeps a record of every call (with its body); past this RSS it is restarted between cases. */
const EMULATOR_RSS_LIMIT = 1024 * 1024 * 1024;
const PROFILE_LINES = 15;

const log = (message: string) => console.log(message);
/** Other work on a 2-core machine skews every figure: the load average tells a reader whether there was any. */
const loadAverage = () => `load average ${loadavg()[0]?.toFixed(2) ?? '?'} (1 min)`;

function runFacts(options: OverheadOptions): RunFacts {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return {
    command: ['npm run bench:overhead', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    node: process.version,
    machine: `${cpus().length} × ${model}; emulator latency ${options.latencyMs} ms; ${options.seconds} s per path per case after ${options.warmUpSeconds} s of warm-up; timeout ${options.timeoutMs} ms; ${options.connections} connections`,
    date: `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} (${loadAverage()} at the start)`,
    settings: Object.entries(options.apiEnv).map(([name, value]) => `${name}=${value}`),
  };
}

/** Prints the summary of every profile the API wrote into `dir` (one per API process). */
async function summariseProfiles(dir: string): Promise<void> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files.sort()) {
    const path = join(dir, file);
    const what = file.startsWith('phase-')
      ? 'the measured API phase only (inspector, via the probe)'
      : 'the whole life of the API process (--cpu-prof: start-up, warm-up, phase, stop)';
    const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
    const summary = formatProfileSummary(summariseProfile(profile), PROFILE_LINES).replace(/^/gm, '    ');
    log(`  CPU profile of ${what}: ${path}\n${summary}`);
  }
  if (!files.some((f) => !f.startsWith('phase-'))) {
    log('  no --cpu-prof profile: the API did not exit cleanly on SIGTERM in time, so V8 never wrote it');
  }
}

async function main(): Promise<number> {
  const parsed = parseOverheadArgs(process.argv.slice(2), process.env);
  // With --tracing the API gets an endpoint, which is what turns tracing on; the settings line then shows it.
  const sink = parsed.tracing ? await startOtlpSink() : undefined;
  const options: OverheadOptions =
    sink === undefined
      ? parsed
      : { ...parsed, apiEnv: { ...parsed.apiEnv, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint } };
  const facts = runFacts(options);
  log(`${facts.command}\nNode ${facts.node}, ${facts.machine}`);
  log(
    `API settings: ${facts.settings.length === 0 ? 'defaults' : facts.settings.join(' ')} (forwarded when set: ${FORWARDED_SETTINGS.join(', ')})`,
  );

  const sizes = new Set([...(options.matrix ? options.sizes : []), ...(options.overload ? ['10k'] : [])]);
  const jpegs = new Map<string, Uint8Array>();
  for (const size of sizes) {
    const jpeg = await makeNoiseJpeg(SIZES[size] as number);
    jpegs.set(size, jpeg.bytes);
    log(`image ${size}: ${jpeg.bytes.length} bytes, ${jpeg.width}×${jpeg.height} noise JPEG`);
  }
  const specs: CaseSpec[] = [];
  if (options.matrix) {
    for (const db of options.dbs)
      for (const size of options.sizes)
        for (const rate of options.rates) specs.push({ db, size, jpeg: jpegs.get(size) as Uint8Array, rate });
  }
  const profileRoot = options.cpuProfile
    ? (options.cpuProfileDir ?? (await mkdtemp(join(tmpdir(), 'bvg-overhead-profiles-'))))
    : undefined;

  let emulator: EmulatorProcess = await startEmulatorProcess(options.latencyMs);
  log(
    `emulator at ${emulator.url} (pid ${emulator.process.pid}); ${specs.length} cases${options.overload ? ' + overload' : ''}\n`,
  );
  const setupFor = (profileDir: string | undefined): BenchSetup => ({
    emulatorUrl: emulator.url,
    emulatorPid: () => emulator.process.pid,
    seconds: options.seconds,
    warmUpSeconds: options.warmUpSeconds,
    timeoutMs: options.timeoutMs,
    connections: options.connections,
    apiEnv: options.apiEnv,
    cpuProfileDir: profileDir,
  });
  const profileDirFor = async (name: string) => {
    if (profileRoot === undefined) return undefined;
    const dir = join(profileRoot, name);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const emulatorEvents: string[] = [];
  /**
   * Before each case: an emulator that died (it has run out of memory under 250 KB load) or grew large is started
   * again. Restarting between cases does not touch a measurement (each case warms up first); the new one listens on
   * a new port, which the next case's setup picks up.
   */
  const healthyEmulator = async (before: string) => {
    const { child } = emulator.process;
    const rss = processStats(emulator.process.pid)?.rssBytes ?? 0;
    const died = child.exitCode !== null || child.signalCode !== null;
    if (!died && rss < EMULATOR_RSS_LIMIT) return;
    const why = died
      ? `had exited (code ${child.exitCode}, signal ${child.signalCode})`
      : `RSS ${(rss / 2 ** 20).toFixed(0)} MB (it keeps a record of every call)`;
    emulatorEvents.push(`before ${before}: the emulator ${why}; restarted`);
    log(
      `  the emulator ${why}: restarting it${died ? `; its last output:\n${emulator.process.tail().slice(-1500)}` : ''}`,
    );
    if (!died) await emulator.process.stop(10_000);
    emulator = await startEmulatorProcess(options.latencyMs);
  };

  const results: CaseResult[] = [];
  const failures: string[] = [];
  let overload: OverloadResult | undefined;
  try {
    for (const spec of specs) {
      const name = `${spec.db}-${spec.size}-${spec.rate}`;
      log(
        `case ${results.length + failures.length + 1}/${specs.length}: ${spec.db}, ${spec.size} (${spec.jpeg.length} B), ${spec.rate}/s`,
      );
      const started = performance.now();
      try {
        await healthyEmulator(name);
        const profileDir = await profileDirFor(name);
        const result = await runCase(setupFor(profileDir), spec);
        results.push(result);
        log(`${describeCase(result)}\n  (${((performance.now() - started) / 1000).toFixed(0)} s; ${loadAverage()})`);
        if (profileDir !== undefined) await summariseProfiles(profileDir);
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
        log(`  FAILED: ${(error as Error).stack ?? String(error)}`);
      }
      log('');
    }
    if (options.overload) {
      log(`overload: ${options.overloadRate}/s for ${options.overloadSeconds} s, 10 KB, PostgreSQL`);
      try {
        await healthyEmulator('overload');
        const profileDir = await profileDirFor('overload');
        overload = await runOverload(
          setupFor(profileDir),
          jpegs.get('10k') as Uint8Array,
          options.overloadRate,
          options.overloadSeconds,
        );
        log(
          `  served ${overload.phase.served}, errors ${formatErrors(overload.phase, overload.refusals)}; ${loadAverage()}\n` +
            `  by second of the phase, p50/p99 ms (not served): ${formatSeconds(overload.phase)}`,
        );
        if (profileDir !== undefined) await summariseProfiles(profileDir);
      } catch (error) {
        failures.push(`overload: ${(error as Error).message}`);
        log(`  FAILED: ${(error as Error).stack ?? String(error)}`);
      }
      log('');
    }
  } finally {
    const exit = await emulator.process.stop(5_000);
    if (!exit.clean) log(`the emulator did not exit cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal})`);
    if (sink !== undefined) {
      const { exports, bytes } = sink.received();
      log(`OTLP sink: ${exports} trace exports received, ${(bytes / 2 ** 20).toFixed(1)} MB`);
      await sink.close();
    }
  }

  const markdown = await formatMarkdown(renderResults(facts, results, overload, emulatorEvents), RESULTS);
  await writeFile(RESULTS, await formatMarkdown(`# bench:overhead results\n\n${markdown}`, RESULTS));
  log(`${markdown}\nwritten to ${RESULTS}`);
  if (options.updateReadme) log(await updateReadme(README, markdown));
  if (profileRoot !== undefined) log(`CPU profiles in ${profileRoot}`);
  if (failures.length > 0) log(`\n${failures.length} case(s) failed:\n${failures.map((f) => `- ${f}`).join('\n')}`);
  return failures.length === 0 ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the emulator and the API`);
    killTrackedChildren();
    removePgliteDirsSync();
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof Error && error.message.includes('Unknown option') ? `${error.message}\n\n${USAGE}` : error,
    );
    killTrackedChildren();
    process.exitCode = 1;
  },
);
