import { describe, expect, it } from 'vitest';
import type { Answer, PhaseResult } from '../../bench/overhead/runOpenLoop.js';
import { summarisePhase } from '../../bench/overhead/summarisePhase.js';

const served = (dueAtMs: number, latencyMs: number): Answer => ({ dueAtMs, latencyMs, outcome: { code: 'OK' } });
const refused = (dueAtMs: number, latencyMs: number): Answer => ({
  dueAtMs,
  latencyMs,
  outcome: { code: 'SERVICE_UNAVAILABLE', retryAfterHeader: true, retryAfterExtension: true },
});

function phase(answers: Answer[]): PhaseResult {
  return {
    rate: 4,
    seconds: 3,
    answers,
    servedPerSecond: 0,
    sendLagP99Ms: 0,
    sendLagMaxMs: 0,
    generatorCpuMs: 0,
    wallMs: 3000,
  };
}

describe('summarisePhase by second', () => {
  it('groups requests by the second they were due, not the order they were answered in', () => {
    // Answers arrive out of order: a slow request of the first second is answered after the third second's.
    const summary = summarisePhase(
      phase([served(2500, 100), served(100, 900), served(300, 110), served(1200, 120), refused(2900, 5)]),
    );
    expect(summary.bySecond).toEqual([
      { second: 1, sent: 2, p50Ms: 110, p99Ms: 900, notServed: 0 },
      { second: 2, sent: 1, p50Ms: 120, p99Ms: 120, notServed: 0 },
      { second: 3, sent: 2, p50Ms: 5, p99Ms: 100, notServed: 1 },
    ]);
  });

  it('keeps a second in which nothing was due, so the timeline has no holes', () => {
    const summary = summarisePhase(phase([served(100, 100), served(2100, 100)]));
    expect(summary.bySecond.map((s) => [s.second, s.sent])).toEqual([
      [1, 1],
      [2, 0],
      [3, 1],
    ]);
    expect(summary.bySecond[1]?.p50Ms).toBeNaN();
  });
});
