import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LOADER = fileURLToPath(new URL('./registerTsLoader.mjs', import.meta.url));

/**
 * Whether strace can trace here: it may be installed where tracing is forbidden (a seccomp profile, gVisor,
 * ptrace_scope 3), so a real trace is tried, not just `strace -V`.
 */
export const canTrace = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=fsync', 'true']).status === 0;

/**
 * Runs `script` (an ES module; the sources' TypeScript loads) in a Node process of its own under strace, with
 * `args` as its process.argv[1…], and returns the calls to `syscalls` it and its children made, one a line, in
 * order. `-y` prints each descriptor's path, resolved (compare with realpath'd paths).
 */
export function traceSyscalls(script: string, args: readonly string[], syscalls: string, traceFile: string): string[] {
  try {
    const run = spawnSync(
      'strace',
      ['-f', '-y', '-qq', '-o', traceFile, '-e', `trace=${syscalls}`, process.execPath, '--import', LOADER].concat([
        '--input-type=module',
        '-e',
        script,
        ...args,
      ]),
      // io_uring would take fsync and rename past strace (libuv uses it where it may).
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        timeout: 90_000,
        env: { ...process.env, UV_USE_IO_URING: '0' },
      },
    );
    if (run.error !== undefined || run.status !== 0) {
      throw new Error(`the traced process failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}`);
    }
    return joinResumed(readFileSync(traceFile, 'utf8').split('\n'));
  } finally {
    rmSync(traceFile, { force: true });
  }
}

/** The path a traced call synced (fsync returned 0), if it is one. */
export const syncedPath = (call: string): string | undefined => /\bfsync\(\d+<(.*)>\) += 0$/.exec(call)?.[1];

/** [from, to] of a traced rename that succeeded (rename, or renameat/renameat2 where there is no rename). */
export function renamed(call: string): readonly [string, string] | undefined {
  const match = /\brename(?:at2?)?\((?:[^,"]*, )?"([^"]*)", (?:[^,"]*, )?"([^"]*)"(?:, [^)]*)?\) += 0$/.exec(call);
  return match === null ? undefined : [match[1]!, match[2]!];
}

/**
 * strace splits a call that another thread's call overtook into `pid name(args <unfinished ...>` and, later,
 * `pid <... name resumed>rest`: each pair becomes one line, where it ended, since that is when the call took effect.
 */
function joinResumed(lines: readonly string[]): string[] {
  const started = new Map<string, string>();
  const joined: string[] = [];
  for (const line of lines) {
    const unfinished = /^(\d+) +(.*) <unfinished \.\.\.>$/.exec(line);
    const resumed = /^(\d+) +<\.\.\. \w+ resumed> ?(.*)$/.exec(line);
    if (unfinished !== null) started.set(unfinished[1]!, unfinished[2]!);
    else if (resumed !== null) joined.push(`${resumed[1]} ${started.get(resumed[1]!) ?? ''}${resumed[2]}`);
    else joined.push(line);
  }
  return joined;
}
