import { parseArgs } from 'node:util';
import type { DatabaseKind } from './freshDatabase.js';

export const USAGE = `npm run bench:overhead -- [options] [NAME=VALUE …]

  --db postgres,pglite        databases (default both)
  --size 10k,250k             JPEG sizes (default both)
  --rate 50,150,300,600       arrival rates per second (default these four)
  --seconds N                 measured seconds per path per case (default 10; --quick: 3)
  --warmup-seconds N          warm-up per path at up to 50/s, not counted (default 2; --quick: 1)
  --overload                  run the overload case (2 000/s of 10 KB on PostgreSQL); alone: only that case
  --no-overload               never run it (by default it runs after a full matrix)
  --overload-rate N           default 2000
  --overload-seconds N        default 10 (--quick: 3)
  --quick                     smoke run: 10k at 50/s on both databases, short phases, short overload
  --timeout-ms N              per-request timeout (default 10000)
  --connections N             HTTP connections to the API (default 512)
  --latency-ms N              the emulator's model latency (default 100)
  --tracing                   trace every request: the API exports OpenTelemetry spans to a sink in this process
                              (compare with a run without it: tracing is off unless an OTLP endpoint is set)
  --cpu-prof                  start each API with --cpu-prof and summarise each profile
  --cpu-prof-dir DIR          where profiles go (default a new temp folder)
  --update-readme             replace the text between the bench:overhead markers in README.md
  NAME=VALUE                  extra environment for the API (e.g. DATABASE_POOL_SIZE=20 MAX_IN_FLIGHT_REQUESTS=256)`;

/** Settings the API is gaining; forwarded from the benchmark's environment or command line and shown in the output. */
export const FORWARDED_SETTINGS = [
  'DATABASE_POOL_SIZE',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'MAX_IN_FLIGHT_REQUESTS',
  'MAX_BUFFERED_BODY_BYTES',
] as const;

export const SIZES: Readonly<Record<string, number>> = { '10k': 10_000, '250k': 250_000 };

export interface OverheadOptions {
  readonly dbs: readonly DatabaseKind[];
  readonly sizes: readonly string[];
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly warmUpSeconds: number;
  readonly overload: boolean;
  readonly overloadRate: number;
  readonly overloadSeconds: number;
  /** False when only the overload case was asked for. */
  readonly matrix: boolean;
  readonly timeoutMs: number;
  readonly connections: number;
  readonly latencyMs: number;
  readonly tracing: boolean;
  readonly cpuProfile: boolean;
  readonly cpuProfileDir: string | undefined;
  readonly updateReadme: boolean;
  readonly apiEnv: Readonly<Record<string, string>>;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

function list<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: readonly T[]) {
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((v) => v.trim()) as T[];
  for (const v of values)
    if (!allowed.includes(v)) throw new Error(`--${name}: "${v}" is not one of ${allowed.join(', ')}`);
  return values;
}

export function parseOverheadArgs(argv: readonly string[], env: NodeJS.ProcessEnv): OverheadOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      size: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'warmup-seconds': { type: 'string' },
      overload: { type: 'boolean' },
      'no-overload': { type: 'boolean' },
      'overload-rate': { type: 'string' },
      'overload-seconds': { type: 'string' },
      quick: { type: 'boolean' },
      'timeout-ms': { type: 'string' },
      connections: { type: 'string' },
      'latency-ms': { type: 'string' },
      tracing: { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      'cpu-prof-dir': { type: 'string' },
      'update-readme': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const apiEnv: Record<string, string> = {};
  for (const name of FORWARDED_SETTINGS) if (env[name] !== undefined) apiEnv[name] = env[name];
  for (const arg of positionals) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(arg);
    if (match === null) throw new Error(`"${arg}" is neither an option nor NAME=VALUE\n\n${USAGE}`);
    apiEnv[match[1] as string] = match[2] as string;
  }
  const quick = values.quick === true;
  const subset = values.db !== undefined || values.size !== undefined || values.rate !== undefined;
  const onlyOverload = values.overload === true && !subset;
  const rates = values.rate?.split(',').map((r) => positive('rate', r, 0));
  return {
    dbs: list<DatabaseKind>('db', values.db, ['postgres', 'pglite'], ['postgres', 'pglite']),
    sizes: list('size', values.size, Object.keys(SIZES), quick ? ['10k'] : ['10k', '250k']),
    rates: rates ?? (quick ? [50] : [50, 150, 300, 600]),
    seconds: positive('seconds', values.seconds, quick ? 3 : 10),
    warmUpSeconds: positive('warmup-seconds', values['warmup-seconds'], quick ? 1 : 2),
    overload: values['no-overload'] !== true && (values.overload === true || !subset),
    overloadRate: positive('overload-rate', values['overload-rate'], 2_000),
    overloadSeconds: positive('overload-seconds', values['overload-seconds'], quick ? 3 : 10),
    matrix: !onlyOverload,
    timeoutMs: positive('timeout-ms', values['timeout-ms'], 10_000),
    connections: positive('connections', values.connections, 512),
    latencyMs: positive('latency-ms', values['latency-ms'], 100),
    tracing: values.tracing === true,
    cpuProfile: values['cpu-prof'] === true || values['cpu-prof-dir'] !== undefined,
    cpuProfileDir: values['cpu-prof-dir'],
    updateReadme: values['update-readme'] === true,
    apiEnv,
  };
}
