import { parseArgs } from 'node:util';

export interface SoakOptions {
  readonly minutes: number;
  readonly rps: number;
  /** The emulator's model latency, so calls overlap as real ones do. */
  readonly latencyMs: number;
  /** Longest a request may take before the generator gives up on it (counted as lost). */
  readonly timeoutMs: number;
}

export const USAGE = `npm run soak -- --minutes N --rps R [--latency-ms 200] [--timeout-ms 30000]

Drives the API (dist/src/main.js, a fresh PostgreSQL database bvg_soak) against the emulator
(dist/src/emulator/main.js) at a fixed arrival rate for N minutes, then checks the ledger's invariants.
Exit code 1 if an invariant fails. SOAK_API_NODE_OPTIONS, if set, is the API's NODE_OPTIONS (for example
--max-old-space-size=256), leaving the generator's alone.`;

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number\n\n${USAGE}`);
  return parsed;
}

export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      minutes: { type: 'string' },
      rps: { type: 'string' },
      'latency-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    minutes: positive(values.minutes, 'minutes', 1),
    rps: positive(values.rps, 'rps', 50),
    latencyMs: positive(values['latency-ms'], 'latency-ms', 200),
    timeoutMs: positive(values['timeout-ms'], 'timeout-ms', 30_000),
  };
}
