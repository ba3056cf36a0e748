import { percentile, type Answer, type PhaseResult } from './runOpenLoop.js';

/** Latency above this is "not answered in time" for the overload target. */
export const SLOW_MS = 2_000;

/** The requests due in one second of a phase: how a step in load plays out over time, which percentiles hide. */
export interface PhaseSecond {
  /** 1 for the requests due in the phase's first second. */
  readonly second: number;
  readonly sent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Refused, timed out or failed. */
  readonly notServed: number;
}

export interface PhaseSummary {
  readonly sent: number;
  readonly served: number;
  /** Over every request, served or not: a refusal's latency counts, and a timed-out request counts as its timeout. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly servedPerSecond: number;
  /** Count per outcome code other than OK, largest first. */
  readonly errors: readonly (readonly [string, number])[];
  readonly slowerThan2s: number;
  readonly timeouts: number;
  readonly refused503: number;
  readonly refused503WithHeader: number;
  readonly refused503WithExtension: number;
  readonly sendLagP99Ms: number;
  readonly sendLagMaxMs: number;
  /** The generator's CPU over the phase, as a share of one core. */
  readonly generatorCpuPercent: number;
  readonly wallMs: number;
  readonly bySecond: readonly PhaseSecond[];
}

export function summarisePhase(result: PhaseResult): PhaseSummary {
  const latencies = result.answers.map((answer) => answer.latencyMs).sort((a, b) => a - b);
  const errors = new Map<string, number>();
  let served = 0;
  let refused503 = 0;
  let refused503WithHeader = 0;
  let refused503WithExtension = 0;
  for (const { outcome } of result.answers) {
    if (outcome.code === 'OK') {
      served += 1;
      continue;
    }
    errors.set(outcome.code, (errors.get(outcome.code) ?? 0) + 1);
    if (outcome.retryAfterHeader !== undefined) {
      refused503 += 1;
      if (outcome.retryAfterHeader) refused503WithHeader += 1;
      if (outcome.retryAfterExtension === true) refused503WithExtension += 1;
    }
  }
  return {
    sent: result.answers.length,
    served,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    servedPerSecond: result.servedPerSecond,
    errors: [...errors].sort((a, b) => b[1] - a[1]),
    slowerThan2s: latencies.filter((ms) => ms > SLOW_MS).length,
    timeouts: errors.get('TIMEOUT') ?? 0,
    refused503,
    refused503WithHeader,
    refused503WithExtension,
    sendLagP99Ms: result.sendLagP99Ms,
    sendLagMaxMs: result.sendLagMaxMs,
    generatorCpuPercent: (100 * result.generatorCpuMs) / result.wallMs,
    wallMs: result.wallMs,
    bySecond: bySecond(result.answers),
  };
}

function bySecond(answers: readonly Answer[]): PhaseSecond[] {
  const seconds: Answer[][] = [];
  for (const answer of answers) (seconds[Math.floor(answer.dueAtMs / 1000)] ??= []).push(answer);
  return [...seconds].map((due = [], i) => {
    const latencies = due.map((answer) => answer.latencyMs).sort((a, b) => a - b);
    return {
      second: i + 1,
      sent: due.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      notServed: due.filter((answer) => answer.outcome.code !== 'OK').length,
    };
  });
}
