import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = fileURLToPath(new URL('./registerTsLoader.mjs', import.meta.url));

/** One line the server logged: pino's JSON, or `{ text }` for anything else (a refusal printed by main). */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every line written so far, stdout and stderr together, in order. */
  readonly lines: LogLine[];
  /** Resolves with the first line (already written or to come) that matches; rejects if the process exits first. */
  waitForLine(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Resolves once the server logged that it is ready, with its origin (`http://127.0.0.1:<port>`). */
  ready(): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running, for clean-up after a test. */
  kill(): void;
}

/**
 * The real server as `npm start` runs it, in a process of its own, straight from the TypeScript sources (see
 * tsLoaderHooks.mjs). `env` is added to a clean environment that points nowhere real: no AWS profile, no database.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', LOADER, 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDSPAWNED',
      AWS_SECRET_ACCESS_KEY: 'spawned',
      // The emulator serves the seed's retired default model.
      MODEL_LIFECYCLE: 'off',
      // The machine is shared with other test files: a busy core, or a pool slowed by it, must not read as this
      // server's overload and shed requests with 503 (a test about admission sets its own).
      MAX_EVENT_LOOP_DELAY_MS: '60000',
      MAX_DATABASE_WAIT_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const onLine = (text: string) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { text };
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim() !== '') onLine(part);
    });
  }
  const waitForLine = (match: (line: LogLine) => boolean) => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(({ code, signal }) =>
        reject(
          new Error(
            `the server exited (code ${code}, signal ${signal}) first:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`,
          ),
        ),
      );
    });
  };
  return {
    child,
    pid: child.pid ?? -1,
    lines,
    waitForLine,
    async ready() {
      const line = await waitForLine((l) => l.msg === 'bedrock-vision-graphql ready');
      return new URL(String(line.url)).origin;
    },
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
