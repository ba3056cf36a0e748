import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface TrackedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last few KB the child wrote (stdout and stderr), to explain a failure. */
  readonly tail: () => string;
  /** Calls `listener` with each whole line of stdout until it returns true. */
  readonly watchLines: (listener: (line: string) => boolean) => void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; `clean` says whether it exited by itself in time with code 0. */
  readonly stop: (graceMs: number) => Promise<{ clean: boolean; code: number | null; signal: NodeJS.Signals | null }>;
}

const TAIL_BYTES = 4096;
const running = new Set<ChildProcess>();

/**
 * Spawns a child the benchmark owns: its output is drained (a full pipe would block it) and kept as a short tail,
 * and it is killed by `killTrackedChildren` when the benchmark ends early, so no run leaves orphans behind.
 */
export function spawnTracked(command: string, args: readonly string[], env: NodeJS.ProcessEnv): TrackedChild {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
  running.add(child);
  let tail = '';
  let partial = '';
  let lineListener: ((line: string) => boolean) | undefined;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk);
    if (lineListener === undefined) return;
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (lineListener?.(line) === true) {
        lineListener = undefined;
        partial = '';
      }
    }
  });
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    child,
    pid: child.pid,
    tail: () => tail,
    watchLines: (listener) => {
      lineListener = listener;
    },
    exited,
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return { clean: false, ...(await exited) };
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return { clean: result.code === 0 && result.signal === null, ...result };
    },
  };
}

/** Kills every child still running (SIGKILL: the benchmark is ending and cannot wait for them). */
export function killTrackedChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}
