import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processRegistry } from './processRegistry.js';

/** What admission control holds right now (read at each scrape). */
export interface AdmissionReading {
  readonly inFlight: number;
  readonly bufferedBytes: number;
}

/** A PostgreSQL pool's connections right now; PGlite, in-process, has no pool. */
export interface PoolReading {
  readonly max: number;
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  /** How long statements have all had to queue for a connection lately, in ms (admission's database bound). */
  readonly queueDelayMs: number;
}

/**
 * The server's Prometheus metrics. Every label takes values from a fixed set (schema fields,
 * error codes, catalog models, repository methods), never raw ids, prompts or client-chosen
 * names, so the number of series stays bounded whatever clients send. The README's
 * Observability section is the reference for names and labels.
 */
export interface AppMetrics {
  /** GraphQL operations by root field, HTTP status and error code (`""` when none). */
  readonly operations: Counter<'operation' | 'status' | 'code'>;
  readonly operationSeconds: Histogram<'operation'>;
  /** One Bedrock call (all SDK attempts included), by catalog model, API and outcome (`ok` or the error code). */
  readonly bedrockSeconds: Histogram<'model' | 'api' | 'outcome'>;
  /**
   * Tokens and dollars recorded in the ledger. `key` is the API key's public prefix (one series
   * per key, bounded by the keys an operator creates); open mode's rows carry no `key` label.
   */
  readonly tokens: Counter<'model' | 'type' | 'key'>;
  readonly costUsd: Counter<'model' | 'key'>;
  readonly images: Counter<'source'>;
  /** Bytes and pixels as received, before normalisation, and bytes as sent to the model. */
  readonly imageBytes: Counter<'source'>;
  readonly imagePixels: Counter<'source'>;
  readonly imageSentBytes: Counter<'source'>;
  readonly admissionRefusals: Counter<'reason'>;
  /** One repository call (usually one statement), by method and outcome (`ok` or `error`). */
  readonly databaseSeconds: Histogram<'operation' | 'outcome'>;
  /** Reads admission control's gauges at each scrape. */
  watchAdmission(read: () => AdmissionReading): void;
  /** Adds the database pool's gauges, read at each scrape (PGlite has no pool, and no such gauges). */
  watchPool(read: () => PoolReading): void;
  /** The exposition: this app's metrics, then the process's. */
  render(): Promise<string>;
  readonly contentType: string;
}

const SECONDS_FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15];
const SECONDS_REQUEST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// A vision answer takes from a few hundred milliseconds to minutes.
const SECONDS_MODEL = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300];

/** A fresh registry per app (tests run several in one process); the process's own metrics are shared. */
export function createMetrics(): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  let readAdmission: (() => AdmissionReading) | undefined;

  new Gauge({
    name: 'bvg_requests_in_flight',
    help: 'Requests admitted and not yet answered (POST /graphql, exports, subscriptions).',
    registers,
    collect() {
      if (readAdmission !== undefined) this.set(readAdmission().inFlight);
    },
  });
  new Gauge({
    name: 'bvg_request_buffered_bytes',
    help: 'Request body bytes that admitted requests may hold in memory.',
    registers,
    collect() {
      if (readAdmission !== undefined) this.set(readAdmission().bufferedBytes);
    },
  });
  return {
    operations: new Counter({
      name: 'bvg_graphql_operations_total',
      help: 'GraphQL operations by root field, HTTP status and error code ("" when none).',
      labelNames: ['operation', 'status', 'code'] as const,
      registers,
    }),
    operationSeconds: new Histogram({
      name: 'bvg_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency, from the request to the response, by root field.',
      labelNames: ['operation'] as const,
      buckets: SECONDS_REQUEST,
      registers,
    }),
    bedrockSeconds: new Histogram({
      name: 'bvg_bedrock_call_duration_seconds',
      help: 'Bedrock call latency (retries included; a stream until its last event), by model, API and outcome.',
      labelNames: ['model', 'api', 'outcome'] as const,
      buckets: SECONDS_MODEL,
      registers,
    }),
    tokens: new Counter({
      name: 'bvg_tokens_total',
      help: 'Tokens recorded in the ledger, by model and type (input, output, cache_read, cache_write).',
      labelNames: ['model', 'type', 'key'] as const,
      registers,
    }),
    costUsd: new Counter({
      name: 'bvg_cost_usd_total',
      help: 'Cost recorded in the ledger in US dollars, by model (catalog prices; unknown models add nothing).',
      labelNames: ['model', 'key'] as const,
      registers,
    }),
    images: new Counter({
      name: 'bvg_images_total',
      help: 'Images taken in (accepted by intake), by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    imageBytes: new Counter({
      name: 'bvg_image_bytes_total',
      help: 'Bytes of images taken in, as received (before normalisation), by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    imagePixels: new Counter({
      name: 'bvg_image_pixels_total',
      help: 'Pixels of images taken in, as received (before normalisation), by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    imageSentBytes: new Counter({
      name: 'bvg_image_sent_bytes_total',
      help: 'Bytes of images as sent to the model (after normalisation), by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    admissionRefusals: new Counter({
      name: 'bvg_admission_refusals_total',
      help: 'Requests refused by admission control with SERVICE_UNAVAILABLE, by the bound that was reached.',
      labelNames: ['reason'] as const,
      registers,
    }),
    databaseSeconds: new Histogram({
      name: 'bvg_db_operation_duration_seconds',
      help: 'Ledger database call latency by repository method and outcome.',
      labelNames: ['operation', 'outcome'] as const,
      buckets: SECONDS_FAST,
      registers,
    }),
    watchAdmission(read) {
      readAdmission = read;
    },
    watchPool(read) {
      new Gauge({
        name: 'bvg_db_pool_connections',
        help: 'PostgreSQL pool connections by state: idle, busy, and max (the pool size). Absent on PGlite.',
        labelNames: ['state'] as const,
        registers,
        collect() {
          const pool = read();
          this.set({ state: 'idle' }, pool.idle);
          this.set({ state: 'busy' }, pool.total - pool.idle);
          this.set({ state: 'max' }, pool.max);
        },
      });
      new Gauge({
        name: 'bvg_db_pool_waiting',
        help: 'Queries waiting for a free PostgreSQL pool connection. Absent on PGlite.',
        registers,
        collect() {
          this.set(read().waiting);
        },
      });
      new Gauge({
        name: 'bvg_db_pool_queue_delay_seconds',
        help: 'How long statements have all had to queue for a PostgreSQL pool connection over the last window of 250 ms (what MAX_DATABASE_WAIT_MS bounds); 0 when some got one at once. Absent on PGlite.',
        registers,
        collect() {
          this.set(read().queueDelayMs / 1000);
        },
      });
    },
    // Read at each scrape, after every metric above is registered: both registries as one exposition.
    async render() {
      return Registry.merge([registry, processRegistry()]).metrics();
    },
    contentType: registry.contentType,
  };
}
