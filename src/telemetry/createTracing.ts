import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from '../config.js';
import type { Tracing } from './Tracing.js';

const INSTRUMENTATION_SCOPE = 'bedrock-vision-graphql';

/**
 * OpenTelemetry tracing exported over OTLP/HTTP (JSON) in batches, or undefined when no endpoint
 * is configured: then no provider, no context manager and no exporter exist, and the code that
 * would trace is never wrapped (see Tracing). Registering the provider installs OpenTelemetry's
 * AsyncLocalStorage context manager (so a span started in a middleware is the parent of those the
 * operation starts) and the W3C `traceparent` propagator; `shutdown` flushes and unregisters them.
 */
export function createTracing(config: TracingConfig, serviceVersion: string): Tracing | undefined {
  if (config.kind === 'off') return undefined;
  const exporter = new OTLPTraceExporter({ url: config.url, headers: { ...config.headers } });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return {
    tracer: provider.getTracer(INSTRUMENTATION_SCOPE, serviceVersion),
    captureMessageContent: config.captureMessageContent,
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}
