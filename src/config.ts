import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
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
  /** Retry an attempt that was sent and timed out or was reset; off because Bedrock may have billed it. */
  readonly retryTimeouts: boolean;
  readonly connectionTimeoutMs: number;
  /** Socket idle timeout for one attempt; a vision answer of 1000 tokens can take tens of seconds. */
  readonly requestTimeoutMs: number;
  /**
   * Who answers: `aws` Bedrock; `emulator` the built-in emulator (in-process, or at `endpoint`);
   * `auto` Bedrock when credentials, an API key or an endpoint are configured, else the emulator
   * outside production (see src/bedrock/chooseBedrockMode.ts).
   */
  readonly mode: 'auto' | 'aws' | 'emulator';
  /** A Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), sent as `Authorization: Bearer` instead of SigV4. */
  readonly bearerToken: string | undefined;
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
  readonly maxDatabaseWaitMs: number;
}

export interface AppConfig {
  readonly port: number;
  /** NODE_ENV=production: no playground by default, and never the emulator unless BEDROCK_MODE=emulator. */
  readonly production: boolean;
  readonly admission: AdmissionConfig;
  /** The browser playground: offline GraphiQL, Apollo Sandbox (needs its CDN), or none. */
  readonly playground: PlaygroundMode;
  /** Undefined: loopback in open mode, every interface once API keys exist (see startApp). */
  readonly host: string | undefined;
  readonly auth: AuthConfig;
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly bedrock: BedrockConfig;
  readonly images: ImagesConfig;
  /** Finished requests older than this many days are deleted on a schedule; undefined keeps them forever. */
  readonly historyRetentionDays: number | undefined;
  readonly retentionIntervalMs: number;
  readonly logLevel: string;
  /** `auto`: readable lines on a terminal, JSON lines otherwise. */
  readonly logFormat: LogFormat;
  readonly metrics: MetricsConfig;
  readonly tracing: TracingConfig;
  /**
   * A PENDING row older than this at start-up belongs to a process that died mid-call:
   * it is closed as FAILED/INTERRUPTED. Kept well above the longest possible call so a
   * live sibling server's request is never touched.
   */
  readonly abandonedAfterMs: number;
  /** Instance leases: how long one lasts unrenewed, and how often every instance sweeps for gone ones' rows. */
  readonly recovery: { readonly leaseTtlMs: number; readonly sweepIntervalMs: number };
  /** Completion writes: retried this long while the database is away, then kept in this journal folder. */
  readonly completion: { readonly retryMs: number; readonly journalDir: string };
  /** How long a duplicate clientRequestId waits for the first request's outcome before REQUEST_IN_PROGRESS. */
  readonly idempotencyWaitMs: number;
  /** The exact-request cache: whether requests use it unless they say (`cache`), and how old an answer it serves. */
  readonly cache: { readonly byDefault: boolean; readonly ttlSeconds: number };
  /** On SIGTERM/SIGINT, how long requests and streams in flight may run before they are cancelled (INTERRUPTED). */
  readonly shutdownGraceMs: number;
  /** How often the input-token estimate's calibration is read again from the ledger; 0: not calibrated. */
  readonly calibrationIntervalMs: number;
}

/**
 * What the HTTP server grants a client it cannot trust yet: connection timeouts and caps,
 * and which other origins' pages may call it (see the README's Security section).
 */
export interface HttpConfig {
  /** Origins (`https://app.example.com`) whose pages may call the API: CORS and WebSocket upgrades. */
  readonly corsOrigins: readonly string[];
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  /** 0: no cap per client address (behind a proxy, where every connection comes from it). */
  readonly maxConnectionsPerClient: number;
  /** Descriptors of the listening socket, each accepting one new connection per turn of the event loop. */
  readonly acceptHandles: number;
}

/** API keys and what is shared between instances for them. */
export interface AuthConfig {
  /** How long a key's row (or its absence) is trusted without reading the database: a revocation's delay. */
  readonly keyCacheTtlMs: number;
  /** Redis for counters every instance shares (requests per minute per key); in-process counters without it. */
  readonly redisUrl: string | undefined;
}

export type LogFormat = 'auto' | 'json' | 'pretty';

/** Who may read `/metrics`: operational detail (models, spend, load) is not for every client. */
export interface MetricsConfig {
  /** CIDR ranges of client addresses allowed to scrape; empty means nobody. */
  readonly allow: readonly string[];
}

/** OpenTelemetry traces: off unless an OTLP endpoint is configured, and then exported over OTLP/HTTP. */
export type TracingConfig =
  | { readonly kind: 'off' }
  | {
      readonly kind: 'otlp';
      /** The traces endpoint itself (`…/v1/traces`). */
      readonly url: string;
      /** Sent with every export (a vendor's API key): a secret, never logged. */
      readonly headers: Readonly<Record<string, string>>;
      readonly serviceName: string;
      /** Prompt, system and answer text on the model span (never image bytes). Off by default. */
      readonly captureMessageContent: boolean;
    };

export const DEFAULT_MODEL_ID = 'anthropic.claude-3-sonnet-20240229-v1:0';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

const envSchema = z.object({
  PORT: intFrom(0, 65535).default(4000),
  // Unset: 127.0.0.1 while no API key exists (open mode), 0.0.0.0 once keys do (see startApp).
  HOST: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  REDIS_URL: z.preprocess(emptyAsUnset, z.url().optional()),
  API_KEY_CACHE_TTL_MS: intFrom(0, 600_000).default(5_000),
  INSTANCE_LEASE_MS: intFrom(1_000, 600_000).default(20_000),
  RECOVERY_INTERVAL_MS: intFrom(500, 600_000).default(10_000),
  COMPLETION_RETRY_MS: intFrom(0, 3_600_000).default(30_000),
  IDEMPOTENCY_WAIT_MS: intFrom(0, 600_000).default(10_000),
  CACHE_DEFAULT: z.enum(['true', 'false']).default('false'),
  CACHE_TTL: intFrom(1, 365 * 86_400).default(86_400),
  COMPLETION_JOURNAL_DIR: z.string().min(1).default('data/journal'),
  SHUTDOWN_GRACE_MS: intFrom(0, 3_600_000).default(30_000),
  CORS_ORIGINS: z.string().optional(),
  HTTP_HEADERS_TIMEOUT_MS: intFrom(1_000, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: intFrom(1_000, 3_600_000).default(60_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: intFrom(100, 600_000).default(5_000),
  MAX_CONNECTIONS: intFrom(1, 1_000_000).default(4_096),
  MAX_CONNECTIONS_PER_CLIENT: intFrom(0, 1_000_000).default(64),
  HTTP_ACCEPT_HANDLES: intFrom(1, 64).default(16),
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
  BEDROCK_RETRY_TIMEOUTS: z.enum(['true', 'false']).default('false'),
  BEDROCK_CONNECTION_TIMEOUT_MS: intFrom(100, 60_000).default(3_000),
  BEDROCK_REQUEST_TIMEOUT_MS: intFrom(1_000, 600_000).default(120_000),
  BEDROCK_MODE: z.enum(['auto', 'aws', 'emulator']).default('auto'),
  AWS_BEARER_TOKEN_BEDROCK: z.string().min(1).optional(),
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
  MAX_DATABASE_WAIT_MS: intFrom(0, 3_600_000).default(50),
  HISTORY_RETENTION_DAYS: intFrom(1, 100_000).optional(),
  HISTORY_RETENTION_INTERVAL_MS: intFrom(1_000, 7 * 24 * 3_600_000).default(3_600_000),
  // 0 switches calibration off; otherwise at least a second, since each refresh aggregates 30 days of the ledger.
  ESTIMATE_CALIBRATION_INTERVAL_MS: intFrom(0, 7 * 24 * 3_600_000)
    .refine((ms) => ms === 0 || ms >= 1_000, '0 (off) or at least 1000')
    .default(600_000),
  PLAYGROUND: z.enum(['graphiql', 'sandbox', 'off']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  METRICS_ALLOW: z.string().default('127.0.0.0/8,::1/128'),
  // OpenTelemetry's own variable names; an empty value means unset, as in OpenTelemetry's SDKs.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyAsUnset, z.url().optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(emptyAsUnset, z.url().optional()),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_SERVICE_NAME: z.preprocess(emptyAsUnset, z.string().default('bedrock-vision-graphql')),
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: z.enum(['true', 'false']).default('false'),
});

/**
 * Every variable loadConfig reads, and what it assumes for each one left unset: the README's
 * Configuration table is kept equal to these by test/unit/configDocumented.test.ts.
 */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));
export const configDefaults = (): Readonly<Record<string, unknown>> => envSchema.parse({});

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
 * METRICS_ALLOW: comma-separated addresses or CIDR ranges (`10.0.0.0/8`, `::1`), normalised to
 * CIDR. A bare address is a range of one.
 */
export function parseAddressRanges(value: string): readonly string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return Object.freeze(
    entries.map((entry) => {
      try {
        const [address, bits] = entry.includes('/')
          ? ipaddr.parseCIDR(entry)
          : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32];
        return `${address.toString()}/${bits}`;
      } catch {
        throw new ConfigError(`METRICS_ALLOW: "${entry}" is not an IP address or CIDR range`);
      }
    }),
  );
}

/**
 * CORS_ORIGINS: comma-separated origins, each a scheme, host and optional port as a browser
 * sends it in `Origin` (`https://app.example.com`, `http://localhost:5173`), nothing more.
 */
export function parseOrigins(value: string): readonly string[] {
  const origins = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin such as https://app.example.com`);
    }
  }
  return Object.freeze(origins);
}

/** OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs separated by commas, values URL-encoded (OpenTelemetry's format). */
function parseOtlpHeaders(value: string | undefined): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new ConfigError('OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas');
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return Object.freeze(headers);
}

function parseTracing(e: z.infer<typeof envSchema>): TracingConfig {
  // As OpenTelemetry's exporters do: the signal's own endpoint as given, or the base endpoint plus v1/traces.
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base === undefined ? undefined : new URL('v1/traces', base.endsWith('/') ? base : `${base}/`).href);
  if (url === undefined) return Object.freeze({ kind: 'off' });
  return Object.freeze({
    kind: 'otlp',
    url,
    headers: parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: e.OTEL_SERVICE_NAME,
    captureMessageContent: e.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true',
  });
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
  // Node refuses a headers timeout longer than the whole request's: say so at start-up, by name.
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS cannot be longer than HTTP_REQUEST_TIMEOUT_MS');
  }
  return Object.freeze({
    port: e.PORT,
    admission: Object.freeze({
      maxInFlight: e.MAX_IN_FLIGHT_REQUESTS,
      maxBufferedBytes: e.MAX_BUFFERED_BODY_BYTES,
      maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
      maxDatabaseWaitMs: e.MAX_DATABASE_WAIT_MS,
    }),
    // Off in production unless asked for: a playground is an exploration tool, not an interface to expose.
    playground: e.PLAYGROUND ?? (e.NODE_ENV === 'production' ? 'off' : 'graphiql'),
    host: e.HOST,
    auth: Object.freeze({ keyCacheTtlMs: e.API_KEY_CACHE_TTL_MS, redisUrl: e.REDIS_URL }),
    http: Object.freeze({
      corsOrigins: parseOrigins(e.CORS_ORIGINS ?? ''),
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
      maxConnectionsPerClient: e.MAX_CONNECTIONS_PER_CLIENT,
      acceptHandles: e.HTTP_ACCEPT_HANDLES,
    }),
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
      retryTimeouts: e.BEDROCK_RETRY_TIMEOUTS === 'true',
      connectionTimeoutMs: e.BEDROCK_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.BEDROCK_REQUEST_TIMEOUT_MS,
      mode: e.BEDROCK_MODE,
      bearerToken: e.AWS_BEARER_TOKEN_BEDROCK,
    }),
    production: e.NODE_ENV === 'production',
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
    logFormat: e.LOG_FORMAT,
    metrics: Object.freeze({ allow: parseAddressRanges(e.METRICS_ALLOW) }),
    tracing: parseTracing(e),
    abandonedAfterMs: Math.max(10 * 60_000, 2 * e.BEDROCK_MAX_ATTEMPTS * e.BEDROCK_REQUEST_TIMEOUT_MS),
    recovery: Object.freeze({ leaseTtlMs: e.INSTANCE_LEASE_MS, sweepIntervalMs: e.RECOVERY_INTERVAL_MS }),
    idempotencyWaitMs: e.IDEMPOTENCY_WAIT_MS,
    cache: Object.freeze({ byDefault: e.CACHE_DEFAULT === 'true', ttlSeconds: e.CACHE_TTL }),
    completion: Object.freeze({ retryMs: e.COMPLETION_RETRY_MS, journalDir: resolve(cwd, e.COMPLETION_JOURNAL_DIR) }),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    calibrationIntervalMs: e.ESTIMATE_CALIBRATION_INTERVAL_MS,
  });
}
