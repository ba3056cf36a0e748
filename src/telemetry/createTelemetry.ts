import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TracingConfig } from '../config.js';
import { packageRoot } from '../packageRoot.js';
import { createMetrics, type AppMetrics } from './createMetrics.js';
import { createTracing } from './createTracing.js';
import type { Tracing } from './Tracing.js';

/** An app's metrics (always) and tracing (only with an OTLP endpoint). */
export interface Telemetry {
  readonly metrics: AppMetrics;
  readonly tracing: Tracing | undefined;
  /** Flushes buffered spans; metrics need nothing. */
  shutdown(): Promise<void>;
}

function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return version;
}

export function createTelemetry(tracing: TracingConfig): Telemetry {
  const tracer = createTracing(tracing, packageVersion());
  return {
    metrics: createMetrics(),
    tracing: tracer,
    shutdown: async () => tracer?.shutdown(),
  };
}
