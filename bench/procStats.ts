/** Another process's CPU and memory, read from /proc: shared by the benchmarks. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat (100 on Linux almost always). */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface ProcessStats {
  /** User + system CPU since the process started, in ms (resolution: one clock tick), every thread. */
  readonly cpuMs: number;
  /**
   * The same for the main thread alone (the thread whose id is the process's): for Node, the event loop, which
   * bounds what one process serves; the rest is V8's compiler and GC threads, libuv's pool and worker threads (on
   * PGlite, its database thread).
   */
  readonly mainThreadCpuMs: number;
  readonly rssBytes: number;
  /** The kernel's own peak RSS (VmHWM) since start or since `resetPeakRss`. */
  readonly vmHwmBytes: number;
}

/** One reading of another process's CPU and memory from /proc; undefined once it has exited. */
export function processStats(pid: number): ProcessStats | undefined {
  try {
    const cpuMs = cpuMsOf(`/proc/${pid}/stat`);
    const mainThreadCpuMs = mainThreadCpuMsOf(pid);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kB = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { cpuMs, mainThreadCpuMs, rssBytes: kB('VmRSS'), vmHwmBytes: kB('VmHWM') };
  } catch {
    return undefined;
  }
}

/** NaN where one thread's figures cannot be read: the process's own figures stand without them. */
function mainThreadCpuMsOf(pid: number): number {
  try {
    return cpuMsOf(`/proc/${pid}/task/${pid}/stat`);
  } catch {
    return NaN;
  }
}

/** utime + stime of a /proc stat file (a process's, or one thread's under task/), in ms. */
function cpuMsOf(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * Resets the kernel's peak RSS (VmHWM) of `pid` to its current RSS, so the peak covers one phase, not start-up.
 * Returns false where that is not allowed; VmHWM then covers the process's whole life.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
