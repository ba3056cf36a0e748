import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Instance {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly process: ChildProcess;
  /** Every log line the process wrote, parsed. */
  readonly logs: readonly Record<string, unknown>[];
  /** SIGTERM, then the exit code (SIGKILL if it has not exited after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/** The environment of a machine with no AWS set-up: nothing inherited but PATH, HOME pointing at an empty folder. */
export function bareEnvironment(home: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    // The metadata service is off the path: on an EC2 CI runner it would hand out the runner's role.
    AWS_EC2_METADATA_DISABLED: 'true',
    PORT: '0',
    ...extra,
  };
}

/**
 * Starts `node dist/src/main.js` in an installed package, as `npm start` does, and waits for its
 * "ready" log line. Rejects with the process's output if it exits first.
 */
export async function startInstance(dir: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [join(dir, 'dist', 'src', 'main.js')], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry.msg === 'bedrock-vision-graphql ready') resolve(String(entry.url));
    });
    void exited.then(([code]) => {
      const output = [...logs.map((l) => JSON.stringify(l)), ...stderr].join('\n');
      reject(new Error(`the server exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
  const url = new URL(await ready);
  return {
    origin: `http://127.0.0.1:${url.port}`,
    process: child,
    logs,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
