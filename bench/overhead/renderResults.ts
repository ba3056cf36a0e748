import type { ApiExit, CaseResult } from './runCase.js';
import { formatRefusals, type PhaseRefusals } from './readRefusals.js';
import type { OverloadResult } from './runOverload.js';
import { SLOW_MS, type PhaseSummary } from './summarisePhase.js';
import type { ProcessWatch } from './watchProcess.js';
import { ledgerLine } from './ledgerLine.js';

const MB = 1024 * 1024;

export interface RunFacts {
  readonly command: string;
  readonly node: string;
  readonly machine: string;
  readonly date: string;
  readonly settings: readonly string[];
}

const ms = (v: number) => (!Number.isFinite(v) ? '–' : Math.abs(v) < 100 ? v.toFixed(1) : v.toFixed(0));
const signed = (v: number) => (Number.isFinite(v) && v >= 0 ? `+${ms(v)}` : ms(v));
const mb = (bytes: number) => (Number.isFinite(bytes) ? (bytes / MB).toFixed(0) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} %` : '–');
const triple = (p: PhaseSummary) => `${ms(p.p50Ms)} / ${ms(p.p95Ms)} / ${ms(p.p99Ms)}`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

export function formatErrors(p: PhaseSummary, refusals: PhaseRefusals = []): string {
  if (p.errors.length === 0) return '0';
  // The 503s' bounds, from the API's own count (admission refusals; a database outage's 503 is not one).
  const bounds = refusals.length === 0 ? '' : ` [${formatRefusals(refusals)}]`;
  return p.errors.map(([code, n]) => (code.includes('HTTP 503') ? `${n} ${code}${bounds}` : `${n} ${code}`)).join(', ');
}

/** Share of a core a process used over a phase. */
const corePercent = (cpuMs: number, wallMs: number) => (100 * cpuMs) / wallMs;
/** CPU ms per served request. */
const perServed = (cpuMs: number, served: number) => (served === 0 ? NaN : cpuMs / served);

/** Send lag (p99) past which the generator, not the system measured, set part of a phase's latency. */
const GENERATOR_BEHIND_MS = 20;
/** The emulator answers on one thread: past this share of a core it is the bottleneck of a phase. */
const EMULATOR_SATURATED_PERCENT = 90;

/** A phase's latencies, marked † when the generator fell behind and ‡ when the emulator was saturated. */
function latencies(p: PhaseSummary, emulator: ProcessWatch): string {
  const behind = p.sendLagP99Ms > GENERATOR_BEHIND_MS ? ' †' : '';
  const saturated = corePercent(emulator.cpuMs, p.wallMs) >= EMULATOR_SATURATED_PERCENT ? ' ‡' : '';
  return `${triple(p)}${behind}${saturated}`;
}

function caseRow(r: CaseResult): string {
  const { direct, api } = r;
  const ratio = direct.servedPerSecond === 0 ? NaN : api.servedPerSecond / direct.servedPerSecond;
  return [
    r.spec.db === 'postgres' ? 'PostgreSQL' : 'PGlite',
    kb(r.spec.jpeg.length),
    `${r.spec.rate}`,
    latencies(direct, r.emulatorDirect),
    latencies(api, r.emulatorApi),
    signed(api.p50Ms - direct.p50Ms),
    signed(api.p99Ms - direct.p99Ms),
    Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–',
    formatErrors(api, r.refusals),
    formatErrors(direct),
    `${ms(perServed(r.server.cpuMs, api.served))} (${ms(perServed(r.server.mainThreadCpuMs, api.served))})`,
    `${pct(corePercent(r.server.cpuMs, api.wallMs))} (${pct(corePercent(r.server.mainThreadCpuMs, api.wallMs))})`,
    `${mb(r.server.peakRssBytes)} (${mb(r.server.vmHwmBytes)})`,
    mb(r.idleRssBytes),
    ms(r.eventLoop.p99Ms),
    `${pct(direct.generatorCpuPercent)} / ${pct(api.generatorCpuPercent)}`,
    `${pct(corePercent(r.emulatorDirect.cpuMs, direct.wallMs))} / ${pct(corePercent(r.emulatorApi.cpuMs, api.wallMs))}`,
  ].join(' | ');
}

const CASE_HEADER = [
  'database',
  'image',
  'rate /s',
  'direct p50 / p95 / p99 ms',
  'API p50 / p95 / p99 ms',
  'added p50',
  'added p99',
  'served/s API ÷ direct',
  'errors (API)',
  'errors (direct)',
  'server CPU ms / served (main thread)',
  'server CPU (main thread)',
  'server peak RSS MB (VmHWM)',
  'idle RSS MB',
  'event-loop delay p99 ms',
  'generator CPU (a / b)',
  'emulator CPU (a / b)',
];

function overloadRows(o: OverloadResult): string[] {
  const p = o.phase;
  const others = p.errors.filter(([code]) => !code.includes('HTTP 503'));
  const rows = typeof o.rows === 'string' ? o.rows : ledgerLine(o.rows, o.warmUp, p);
  return [
    `| requests | ${p.sent} at ${o.rate}/s for ${o.seconds} s (10 KB describeImage, PostgreSQL) |`,
    `| served (200 with data) | ${p.served} (${p.servedPerSecond.toFixed(0)}/s) |`,
    `| refused with 503 | ${p.refused503} (Retry-After header: ${p.refused503WithHeader}; extensions.retryAfterSeconds: ${p.refused503WithExtension}; bounds: ${formatRefusals(o.refusals) || '–'}) |`,
    `| other errors (not served, not 503) | ${others.length === 0 ? '0' : others.map(([c, n]) => `${n} ${c}`).join(', ')} |`,
    `| latency p50 / p99 / max ms | ${ms(p.p50Ms)} / ${ms(p.p99Ms)} / ${ms(p.maxMs)} |`,
    `| over ${SLOW_MS / 1000} s or timed out | ${p.slowerThan2s} (of which timed out: ${p.timeouts}) |`,
    `| server peak RSS MB (VmHWM) | ${mb(o.server.peakRssBytes)} (${mb(o.server.vmHwmBytes)}) |`,
    `| server CPU | ${ms(o.server.cpuMs / 1000)} s (${pct(corePercent(o.server.cpuMs, p.wallMs))} of a core) |`,
    `| event-loop delay p99 / max ms | ${o.eventLoop === undefined ? '–' : `${ms(o.eventLoop.p99Ms)} / ${ms(o.eventLoop.maxMs)}`} |`,
    `| alive afterwards (/readyz 200) | ${o.aliveAfter ? 'yes' : 'NO'} |`,
    `| ledger afterwards (history) | ${rows} |`,
    `| emulator CPU | ${pct(corePercent(o.emulator.cpuMs, p.wallMs))} |`,
    `| generator CPU / send lag p99, max | ${pct(p.generatorCpuPercent)} / ${ms(p.sendLagP99Ms)}, ${ms(p.sendLagMaxMs)} ms |`,
  ];
}

/** How the API ended after SIGTERM. */
function describeExit(exit: ApiExit): string {
  const after = `${(exit.stopMs / 1000).toFixed(1)} s`;
  if (exit.clean) return `the API exited cleanly ${after} after SIGTERM`;
  if (exit.signal === 'SIGKILL') return `the API had not exited ${after} after SIGTERM: killed (SIGKILL)`;
  return `the API exited ${after} after SIGTERM with code ${exit.code}, signal ${exit.signal}`;
}

/** Cases whose numbers are void because the emulator was gone by the end of a phase. */
function emulatorNotes(cases: readonly CaseResult[], overload: OverloadResult | undefined): string[] {
  const notes = cases
    .filter((r) => !r.emulatorDirect.alive || !r.emulatorApi.alive)
    .map(
      (r) =>
        `- ${r.spec.db} ${r.spec.size} ${r.spec.rate}/s: **the emulator died during this case; its numbers are void**`,
    );
  if (overload !== undefined && !overload.emulator.alive) {
    notes.push('- overload: **the emulator died during this case; its numbers are void**');
  }
  return notes;
}

function exitNotes(cases: readonly CaseResult[], overload: OverloadResult | undefined): string[] {
  const exits = [
    ...cases.map((r) => [`${r.spec.db} ${r.spec.size} ${r.spec.rate}/s`, r.exit] as const),
    ...(overload === undefined ? [] : [['overload', overload.exit] as const]),
  ];
  return exits.filter(([, exit]) => !exit.clean).map(([name, exit]) => `- ${name}: ${describeExit(exit)}`);
}

/** The results as markdown: run facts, one row per case, the overload case, and how to read them. */
export function renderResults(
  facts: RunFacts,
  cases: readonly CaseResult[],
  overload: OverloadResult | undefined,
  emulatorEvents: readonly string[],
): string {
  const lines = [
    `Command: \`${facts.command}\``,
    `${facts.date}, Node ${facts.node}, ${facts.machine}. API settings: ${facts.settings.length === 0 ? 'defaults' : facts.settings.join(' ')}.`,
    '',
  ];
  if (cases.length > 0) {
    lines.push(`| ${CASE_HEADER.join(' | ')} |`, `|${CASE_HEADER.map(() => '---').join('|')}|`);
    for (const r of cases) lines.push(`| ${caseRow(r)} |`);
    lines.push(
      '',
      '(a) the Converse request straight to the emulator with the AWS SDK; (b) the same request through `describeImage`.',
      'Open loop: request i is sent at start + i/rate and its latency runs from that time; percentiles cover every',
      'request (a refusal at its answer, a timeout at the timeout). Added = (b) − (a) at the same percentile.',
      "served/s: served requests over the time to the last served answer. CPU ms / served: the API process's user +",
      "system time over phase (b) ÷ served requests, every thread; in brackets the main thread's alone (the event",
      "loop, which bounds one process; the rest is V8's compiler and GC threads, libuv's pool and, on PGlite, its",
      "database thread). Idle RSS: after start-up, warm-up and a second's pause.",
      'Event-loop delay: `monitorEventLoopDelay` in the API (preloaded), beyond its 10 ms timer. CPU % are of one core.',
      `† requests left the generator late (send lag p99 > ${GENERATOR_BEHIND_MS} ms), from its own CPU or a machine with no core`,
      "free: that wait is in the path's latency, which then measures the machine as much as the path.",
      `‡ the emulator used ≥ ${EMULATOR_SATURATED_PERCENT} % of a core in that phase: it, not the API, may set the pace.`,
      '',
    );
  }
  if (overload !== undefined) {
    lines.push('| overload | |', '|---|---|', ...overloadRows(overload), '');
  }
  const notes = [
    ...emulatorNotes(cases, overload),
    ...emulatorEvents.map((e) => `- ${e}`),
    ...exitNotes(cases, overload),
  ];
  if (notes.length > 0) lines.push(...notes, '');
  return lines.join('\n');
}

const lastLines = (text: string, n: number) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-n)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .join('\n');

/** Each second of a phase as `second: p50/p99`, with the requests not served when there were any. */
export function formatSeconds(p: PhaseSummary): string {
  return p.bySecond
    .map((s) => `${s.second}: ${ms(s.p50Ms)}/${ms(s.p99Ms)}${s.notServed === 0 ? '' : ` (${s.notServed})`}`)
    .join('  ');
}

/** What a case came to, in a few lines for the console while the run goes on. */
export function describeCase(r: CaseResult): string {
  const line = (name: string, p: PhaseSummary, refusals: PhaseRefusals = []) =>
    `  ${name}: sent ${p.sent}, served ${p.served} (${p.servedPerSecond.toFixed(1)}/s), p50/p95/p99/max ${triple(p)} / ${ms(p.maxMs)} ms, errors ${formatErrors(p, refusals)}; generator CPU ${pct(p.generatorCpuPercent)}, send lag p99 ${ms(p.sendLagP99Ms)} ms max ${ms(p.sendLagMaxMs)} ms`;
  return [
    line('(a) direct', r.direct),
    line('(b) API   ', r.api, r.refusals),
    `  by second of the phase, p50/p99 ms (not served):\n    (a) ${formatSeconds(r.direct)}\n    (b) ${formatSeconds(r.api)}`,
    `  server: CPU ${ms(r.server.cpuMs)} ms over (b) = ${ms(perServed(r.server.cpuMs, r.api.served))} ms per served request, of which the main thread ${ms(perServed(r.server.mainThreadCpuMs, r.api.served))} ms; RSS at start ${mb(r.startRssBytes)} MB, idle after warm-up ${mb(r.idleRssBytes)} MB, peak ${mb(r.server.peakRssBytes)} MB, VmHWM ${mb(r.server.vmHwmBytes)} MB${r.server.vmHwmReset ? '' : ' (not reset: whole life)'}; event-loop delay p50/p99/max ${ms(r.eventLoop.p50Ms)}/${ms(r.eventLoop.p99Ms)}/${ms(r.eventLoop.maxMs)} ms`,
    `  emulator: CPU ${pct(corePercent(r.emulatorDirect.cpuMs, r.direct.wallMs))} in (a), ${pct(corePercent(r.emulatorApi.cpuMs, r.api.wallMs))} in (b); peak RSS ${mb(Math.max(r.emulatorDirect.peakRssBytes, r.emulatorApi.peakRssBytes))} MB${r.emulatorDirect.alive && r.emulatorApi.alive ? '' : '; THE EMULATOR DIED DURING THIS CASE'}`,
    `  API stop: ${describeExit(r.exit)}`,
    ...(r.exit.clean || lastLines(r.exit.tail, 3) === ''
      ? []
      : [`  API's last output:\n${lastLines(r.exit.tail, 3).replace(/^/gm, '    | ')}`]),
  ].join('\n');
}
