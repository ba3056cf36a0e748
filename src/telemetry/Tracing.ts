import type { Tracer } from '@opentelemetry/api';

/**
 * Tracing when it is on. Code that traces takes `Tracing | undefined` and, when it is undefined,
 * is never wrapped at all: with no OTLP endpoint the request path runs no tracing code.
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** Prompt, system and answer text on the model span (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  readonly captureMessageContent: boolean;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}
