import { setTimeout as sleep } from 'node:timers/promises';

/** What one request came to. `code` is `OK` for a served request, otherwise the reason it was not. */
export interface Outcome {
  readonly code: string;
  /** Only for refusals with HTTP 503: whether the response carried `Retry-After` / `extensions.retryAfterSeconds`. */
  readonly retryAfterHeader?: boolean;
  readonly retryAfterExtension?: boolean;
}

/** Sends one request; must settle (never throw) once `signal` aborts, reporting the timeout as its outcome. */
export type Send = (signal: AbortSignal) => Promise<Outcome>;

export interface Answer {
  /** When the request was due, in ms from the start of the phase. */
  readonly dueAtMs: number;
  /** From the request's scheduled time, so time spent queued in the generator counts. */
  readonly latencyMs: number;
  readonly outcome: Outcome;
}

export interface PhaseResult {
  readonly rate: number;
  readonly seconds: number;
  readonly answers: readonly Answer[];
  /** Served requests per second: served / (time from the first scheduled request to the last served answer). */
  readonly servedPerSecond: number;
  /** How late the generator sent requests after their scheduled time: p99 and max, in ms. */
  readonly sendLagP99Ms: number;
  readonly sendLagMaxMs: number;
  /** The generator's own CPU in this phase (user + system), in ms, and the phase's wall time. */
  readonly generatorCpuMs: number;
  readonly wallMs: number;
}

export interface OpenLoopOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly timeoutMs: number;
  readonly send: Send;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * Sends `rate × seconds` requests, request i at start + i/rate, whether or not earlier ones have been answered:
 * an open loop, as users arrive. A closed loop (send the next when one returns) slows down with the server and
 * hides queueing; here a slow server makes latency grow, as it would for real users. The scheduler wakes on a
 * 1 ms timer (not a busy loop, which would take a core from the processes being measured on a 2-core machine)
 * and sends everything that has come due. Resolves when every request has been answered or has timed out.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<PhaseResult> {
  const { rate, seconds, timeoutMs, send } = options;
  const total = Math.max(1, Math.round(rate * seconds));
  const intervalMs = 1000 / rate;
  const answers: Answer[] = [];
  const lags: number[] = [];
  const pending: Promise<void>[] = [];
  let lastServedAt = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now() + 5;

  const fire = (scheduledAt: number) => {
    lags.push(performance.now() - scheduledAt);
    const answered = send(AbortSignal.timeout(timeoutMs)).then(
      (outcome) => outcome,
      (error: unknown): Outcome => ({ code: `GENERATOR_BUG ${String(error)}` }),
    );
    pending.push(
      answered.then((outcome) => {
        const now = performance.now();
        if (outcome.code === 'OK') lastServedAt = Math.max(lastServedAt, now);
        answers.push({ dueAtMs: scheduledAt - start, latencyMs: now - scheduledAt, outcome });
      }),
    );
  };

  for (let next = 0; next < total;) {
    const now = performance.now();
    while (next < total && start + next * intervalMs <= now) {
      fire(start + next * intervalMs);
      next += 1;
    }
    if (next < total) await sleep(Math.max(1, Math.min(20, start + next * intervalMs - performance.now())));
  }
  await Promise.all(pending);
  const end = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  lags.sort((a, b) => a - b);
  const served = answers.filter((answer) => answer.outcome.code === 'OK').length;
  const span = Math.max(seconds * 1000, lastServedAt - start);
  return {
    rate,
    seconds,
    answers,
    servedPerSecond: served / (span / 1000),
    sendLagP99Ms: percentile(lags, 99),
    sendLagMaxMs: lags[lags.length - 1] ?? NaN,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: end - start,
  };
}
