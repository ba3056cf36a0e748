import { processStats, resetPeakRss } from '../procStats.js';

export interface ProcessWatch {
  readonly cpuMs: number;
  /** Of `cpuMs`, the main thread's (see ProcessStats). */
  readonly mainThreadCpuMs: number;
  readonly peakRssBytes: number;
  readonly vmHwmBytes: number;
  readonly vmHwmReset: boolean;
  /** False when the process was gone by the end of the phase. */
  readonly alive: boolean;
}

/**
 * Watches a process through a phase: CPU used between start and stop, and peak RSS sampled every 100 ms (the
 * kernel's VmHWM catches peaks between samples). Reading /proc costs the generator a few µs per sample.
 */
export function watchProcess(pid: number): { stop: () => ProcessWatch } {
  const vmHwmReset = resetPeakRss(pid);
  const before = processStats(pid);
  let peakRssBytes = before?.rssBytes ?? 0;
  const timer = setInterval(() => {
    const now = processStats(pid);
    if (now !== undefined) peakRssBytes = Math.max(peakRssBytes, now.rssBytes);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const after = processStats(pid);
      if (after !== undefined) peakRssBytes = Math.max(peakRssBytes, after.rssBytes);
      return {
        cpuMs: before !== undefined && after !== undefined ? after.cpuMs - before.cpuMs : NaN,
        mainThreadCpuMs:
          before !== undefined && after !== undefined ? after.mainThreadCpuMs - before.mainThreadCpuMs : NaN,
        peakRssBytes,
        vmHwmBytes: after?.vmHwmBytes ?? NaN,
        vmHwmReset,
        alive: after !== undefined,
      };
    },
  };
}
