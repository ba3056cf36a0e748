import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Where the ledger lives. PGlite is the embedded PostgreSQL used on a laptop; a
 * `postgres://` URL is a real server for deployments behind a load balancer.
 */
export type DatabaseConfig =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'pglite-memory' }
  | { readonly kind: 'postgres'; readonly url: string };

export interface BedrockConfig {
  /** Region for the Bedrock runtime endpoint; the SDK's credential chain is left untouched. */
  readonly region: string;
  /** Another endpoint (the emulator); undefined means Bedrock's own endpoint for the region. */
  readonly endpoint: string | undefined;
  readonly defaultModelId: string;
  /** Total attempts per call in the SDK's standard retry mode (1 = no retries). */
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  /** Socket idle timeout for one attempt; a vision answer of 1000 tokens can take tens of seconds. */
  readonly requestTimeoutMs: number;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseConfig;
  readonly bedrock: BedrockConfig;
  readonly logLevel: string;
  /**
   * A PENDING row older than this at start-up belongs to a process that died mid-call:
   * it is closed as FAILED/INTERRUPTED. Kept well above the longest possible call so a
   * live sibling server's request is never touched.
   */
  readonly abandonedAfterMs: number;
}

export const DEFAULT_MODEL_ID = 'anthropic.claude-3-sonnet-20240229-v1:0';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  PORT: intFrom(0, 65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: z.url().optional(),
  AWS_ENDPOINT_URL: z.url().optional(),
  DEFAULT_MODEL_ID: z.string().min(1).default(DEFAULT_MODEL_ID),
  BEDROCK_MAX_ATTEMPTS: intFrom(1, 10).default(3),
  BEDROCK_CONNECTION_TIMEOUT_MS: intFrom(100, 60_000).default(3_000),
  BEDROCK_REQUEST_TIMEOUT_MS: intFrom(1_000, 600_000).default(120_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Thrown for configuration that cannot start the server; main prints it and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the database location from DATABASE_URL: unset → `./data/pglite`,
 * `file:<dir>` → PGlite in that folder, `memory:` → in-memory PGlite,
 * `postgres://` / `postgresql://` → that server.
 */
export function parseDatabaseUrl(value: string | undefined, cwd: string): DatabaseConfig {
  if (value === undefined || value.trim() === '') {
    return Object.freeze({ kind: 'pglite', dataDir: resolve(cwd, 'data/pglite') });
  }
  if (value === 'memory:' || value === 'memory://') return Object.freeze({ kind: 'pglite-memory' });
  if (value.startsWith('file:')) {
    const dir = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (dir === '') throw new ConfigError('DATABASE_URL "file:" needs a folder, e.g. file:./data/pglite');
    return Object.freeze({ kind: 'pglite', dataDir: resolve(cwd, dir) });
  }
  if (/^postgres(ql)?:\/\//.test(value)) return Object.freeze({ kind: 'postgres', url: value });
  throw new ConfigError('DATABASE_URL must be unset, file:<dir>, memory:, or a postgres:// / postgresql:// URL');
}

/**
 * The only reader of the environment: parses, validates and freezes everything the
 * process needs, so a bad value fails at start-up rather than on the first request.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    database: parseDatabaseUrl(e.DATABASE_URL, cwd),
    bedrock: Object.freeze({
      region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint: e.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? e.AWS_ENDPOINT_URL,
      defaultModelId: e.DEFAULT_MODEL_ID,
      maxAttempts: e.BEDROCK_MAX_ATTEMPTS,
      connectionTimeoutMs: e.BEDROCK_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.BEDROCK_REQUEST_TIMEOUT_MS,
    }),
    logLevel: e.LOG_LEVEL,
    abandonedAfterMs: Math.max(10 * 60_000, 2 * e.BEDROCK_MAX_ATTEMPTS * e.BEDROCK_REQUEST_TIMEOUT_MS),
  });
}
