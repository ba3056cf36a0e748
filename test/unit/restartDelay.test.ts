import { describe, expect, it } from 'vitest';
import {
  FIRST_RESTART_DELAY_MS,
  MAX_RESTART_DELAY_MS,
  STABLE_AFTER_MS,
  restartDelay,
} from '../../src/store/restartDelay.js';

describe('restartDelay', () => {
  it('waits 0.5 s before the first restart, then twice as long after each end soon after a start', () => {
    expect(restartDelay(0, 1_000)).toBe(FIRST_RESTART_DELAY_MS);
    expect(restartDelay(500, 1_000)).toBe(1_000);
    expect(restartDelay(1_000, 1_000)).toBe(2_000);
  });

  it('doubles the wait after a start that failed too', () => {
    expect(restartDelay(0)).toBe(FIRST_RESTART_DELAY_MS);
    expect(restartDelay(4_000)).toBe(8_000);
  });

  it('never waits longer than 30 s, however often the thread fails', () => {
    let delay = 0;
    for (let i = 0; i < 20; i++) delay = restartDelay(delay, 10);
    expect(delay).toBe(MAX_RESTART_DELAY_MS);
    expect(restartDelay(MAX_RESTART_DELAY_MS)).toBe(MAX_RESTART_DELAY_MS);
  });

  it('starts over after a thread that served a minute, whatever the last wait was', () => {
    expect(restartDelay(MAX_RESTART_DELAY_MS, STABLE_AFTER_MS)).toBe(FIRST_RESTART_DELAY_MS);
    expect(restartDelay(MAX_RESTART_DELAY_MS, STABLE_AFTER_MS - 1)).toBe(MAX_RESTART_DELAY_MS);
  });
});
