import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Where the ledger lives. PGlite is the embedded PostgreSQL used on a laptop; a
 * `postgres://` URL is a real server for deployments behind a load balancer.
 */
export type DatabaseConfig =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'pglite-memory' }
  | ({ readonly kind: 'postgres'; readonly url: string } & PostgresPoolConfig);

/** How the server shares a PostgreSQL server: bounded, and never waiting without a limit. */
export interface PostgresPoolConfig {
  /** Connections this process opens at most (node-postgres defaults to 10). */
  readonly poolSize: number;
  /**
   * Longest wait for a connection, whether opening a new one or waiting for a busy pool:
   * past it the request is refused with SERVICE_UNAVAILABLE instead of queueing unboundedly.
   */
  readonly connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout for the server's queries (migrations excepted). */
  readonly statementTimeoutMs: number;
}

export interface BedrockConfig {
  /** Region for the Bedrock runtime endpoint; the SDK's credential chain is left untouched. */
  readonly region: string;
  /** Another endpoint (the emulator); undefined means Bedrock's own endpoint for the region. */
  readonly endpoint: string | undefined;
  readonly defaultModelId: string;
  /** JSON file of catalog entries that replace or extend the built-in model catalog (prices, new models). */
  readonly modelCatalogFile: string | undefined;
  /** Refuse end-of-life models before calling Bedrock (`enforce`), or let Bedrock answer (`off`). */
  readonly modelLifecycle: 'enforce' | 'off';
  /** Total attempts per call in the SDK's standard retry mode (1 = no retries). */
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  /** Socket idle timeout for one attempt; a vision answer of 1000 tokens can take tens of seconds. */
  readonly requestTimeoutMs: number;
}

/** Where image bytes are kept; by default they are not kept at all. */
export type ImageStoreConfig = { readonly kind: 'none' } | { readonly kind: 'file'; readonly dir: string };

/** How images given as URLs are fetched (see src/images/url). */
export interface ImageUrlConfig {
  readonly allowedPorts: readonly number[];
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  /** Only for tests and closed networks: lets URLs reach loopback and private addresses. */
  readonly allowPrivateAddresses: boolean;
  /** Extra trusted CA certificates (PEM) for image hosts. */
  readonly ca: string | undefined;
}

export interface ImagesConfig {
  readonly store: ImageStoreConfig;
  readonly url: ImageUrlConfig;
  /** Largest upload read per file; larger ones are refused while streaming. */
  readonly maxUploadBytes: number;
}

export type PlaygroundMode = 'graphiql' | 'sandbox' | 'off';

/** Admission control: how much work the server takes on before refusing with SERVICE_UNAVAILABLE. */
export interface AdmissionConfig {
  readonly maxInFlight: number;
  readonly maxBufferedBytes: number;
  readonly maxEventLoopDelayMs: number;
}

export interface AppConfig {
  readonly port: number;
  readonly admission: AdmissionConfig;
  /** The browser playground: offline GraphiQL, Apollo Sandbox (needs its CDN), or none. */
  readonly playground: PlaygroundMode;
  readonly host: string;
  readonly database: DatabaseConfig;
  readonly bedrock: BedrockConfig;
  readonly images: ImagesConfig;
  /** Finished requests older than this many days are deleted on a schedule; undefined keeps them forever. */
  readonly historyRetentionDays: number | undefined;
  readonly retentionIntervalMs: number;
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
  DATABASE_POOL_SIZE: intFrom(1, 1_000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: intFrom(50, 120_000).default(2_000),
  DATABASE_STATEMENT_TIMEOUT_MS: intFrom(100, 3_600_000).default(15_000),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: z.url().optional(),
  AWS_ENDPOINT_URL: z.url().optional(),
  DEFAULT_MODEL_ID: z.string().min(1).default(DEFAULT_MODEL_ID),
  MODEL_CATALOG_FILE: z.string().min(1).optional(),
  MODEL_LIFECYCLE: z.enum(['enforce', 'off']).default('enforce'),
  BEDROCK_MAX_ATTEMPTS: intFrom(1, 10).default(3),
  BEDROCK_CONNECTION_TIMEOUT_MS: intFrom(100, 60_000).default(3_000),
  BEDROCK_REQUEST_TIMEOUT_MS: intFrom(1_000, 600_000).default(120_000),
  IMAGE_STORE: z.string().optional(),
  IMAGE_URL_ALLOWED_PORTS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of ports')
    .default('443'),
  IMAGE_URL_TIMEOUT_MS: intFrom(100, 120_000).default(10_000),
  IMAGE_URL_MAX_BYTES: intFrom(1, 200 * 1024 * 1024).default(20 * 1024 * 1024),
  IMAGE_URL_MAX_REDIRECTS: intFrom(0, 10).default(3),
  IMAGE_URL_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  IMAGE_URL_CA_FILE: z.string().min(1).optional(),
  IMAGE_UPLOAD_MAX_BYTES: intFrom(1, 200 * 1024 * 1024).default(20 * 1024 * 1024),
  NODE_ENV: z.string().optional(),
  MAX_IN_FLIGHT_REQUESTS: intFrom(1, 100_000).default(256),
  MAX_BUFFERED_BODY_BYTES: intFrom(1024, 16 * 1024 * 1024 * 1024).default(128 * 1024 * 1024),
  MAX_EVENT_LOOP_DELAY_MS: intFrom(10, 60_000).default(100),
  HISTORY_RETENTION_DAYS: intFrom(1, 100_000).optional(),
  HISTORY_RETENTION_INTERVAL_MS: intFrom(1_000, 7 * 24 * 3_600_000).default(3_600_000),
  PLAYGROUND: z.enum(['graphiql', 'sandbox', 'off']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Thrown for configuration that cannot start the server; main prints it and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_POSTGRES_POOL: PostgresPoolConfig = {
  poolSize: 10,
  connectTimeoutMs: 2_000,
  statementTimeoutMs: 15_000,
};

/**
 * Reads the database location from DATABASE_URL: unset → `./data/pglite`,
 * `file:<dir>` → PGlite in that folder, `memory:` → in-memory PGlite,
 * `postgres://` / `postgresql://` → that server.
 */
export function parseDatabaseUrl(
  value: string | undefined,
  cwd: string,
  pool: PostgresPoolConfig = DEFAULT_POSTGRES_POOL,
): DatabaseConfig {
  if (value === undefined || value.trim() === '') {
    return Object.freeze({ kind: 'pglite', dataDir: resolve(cwd, 'data/pglite') });
  }
  if (value === 'memory:' || value === 'memory://') return Object.freeze({ kind: 'pglite-memory' });
  if (value.startsWith('file:')) {
    const dir = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (dir === '') throw new ConfigError('DATABASE_URL "file:" needs a folder, e.g. file:./data/pglite');
    return Object.freeze({ kind: 'pglite', dataDir: resolve(cwd, dir) });
  }
  if (/^postgres(ql)?:\/\//.test(value)) return Object.freeze({ kind: 'postgres', url: value, ...pool });
  throw new ConfigError('DATABASE_URL must be unset, file:<dir>, memory:, or a postgres:// / postgresql:// URL');
}

/** IMAGE_STORE: unset or `off` keeps no bytes; `file:<dir>` keeps them content-addressed there. */
export function parseImageStore(value: string | undefined, cwd: string): ImageStoreConfig {
  if (value === undefined || value === '' || value === 'off') return Object.freeze({ kind: 'none' });
  if (value.startsWith('file:') && value.length > 'file:'.length) {
    return Object.freeze({ kind: 'file', dir: resolve(cwd, value.slice('file:'.length)) });
  }
  throw new ConfigError('IMAGE_STORE must be unset, off, or file:<dir>');
}

function readCaFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`IMAGE_URL_CA_FILE cannot be read: ${(error as Error).message}`);
  }
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
    admission: Object.freeze({
      maxInFlight: e.MAX_IN_FLIGHT_REQUESTS,
      maxBufferedBytes: e.MAX_BUFFERED_BODY_BYTES,
      maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
    }),
    // Off in production unless asked for: a playground is an exploration tool, not an interface to expose.
    playground: e.PLAYGROUND ?? (e.NODE_ENV === 'production' ? 'off' : 'graphiql'),
    host: e.HOST,
    database: parseDatabaseUrl(e.DATABASE_URL, cwd, {
      poolSize: e.DATABASE_POOL_SIZE,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    }),
    bedrock: Object.freeze({
      region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint: e.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? e.AWS_ENDPOINT_URL,
      defaultModelId: e.DEFAULT_MODEL_ID,
      modelCatalogFile: e.MODEL_CATALOG_FILE === undefined ? undefined : resolve(cwd, e.MODEL_CATALOG_FILE),
      modelLifecycle: e.MODEL_LIFECYCLE,
      maxAttempts: e.BEDROCK_MAX_ATTEMPTS,
      connectionTimeoutMs: e.BEDROCK_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.BEDROCK_REQUEST_TIMEOUT_MS,
    }),
    images: Object.freeze({
      store: parseImageStore(e.IMAGE_STORE, cwd),
      url: Object.freeze({
        allowedPorts: Object.freeze(e.IMAGE_URL_ALLOWED_PORTS.split(',').map(Number)),
        maxBytes: e.IMAGE_URL_MAX_BYTES,
        timeoutMs: e.IMAGE_URL_TIMEOUT_MS,
        maxRedirects: e.IMAGE_URL_MAX_REDIRECTS,
        allowPrivateAddresses: e.IMAGE_URL_ALLOW_PRIVATE === 'true',
        ca: readCaFile(e.IMAGE_URL_CA_FILE),
      }),
      maxUploadBytes: e.IMAGE_UPLOAD_MAX_BYTES,
    }),
    historyRetentionDays: e.HISTORY_RETENTION_DAYS,
    retentionIntervalMs: e.HISTORY_RETENTION_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    abandonedAfterMs: Math.max(10 * 60_000, 2 * e.BEDROCK_MAX_ATTEMPTS * e.BEDROCK_REQUEST_TIMEOUT_MS),
  });
}
