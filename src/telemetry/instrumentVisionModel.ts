import type { Span } from '@opentelemetry/api';
import type { ModelCatalog, VisionModel, VisionRequest, VisionStreamEvent } from '../bedrock/index.js';
import type { AppMetrics } from './createMetrics.js';
import { failSpan } from './failSpan.js';
import { modelLabel, outcomeOf } from './labels.js';
import { finishModelSpan, startModelSpan } from './modelSpan.js';
import { GEN_AI } from './semanticAttributes.js';
import type { Tracing } from './Tracing.js';

export interface ModelInstrumentation {
  readonly metrics: AppMetrics;
  readonly catalog: ModelCatalog;
  /** Undefined when tracing is off: then no span is started. */
  readonly tracing: Tracing | undefined;
}

/**
 * The model with its calls measured: the Bedrock latency histogram always, and a GenAI span per
 * call when tracing is on. Errors and events pass through unchanged.
 */
export function instrumentVisionModel(model: VisionModel, deps: ModelInstrumentation): VisionModel {
  const { metrics, catalog, tracing } = deps;

  function observe(request: VisionRequest, started: number, outcome: string): void {
    metrics.bedrockSeconds.observe(
      { model: modelLabel(catalog, request.modelId), api: request.api, outcome },
      (performance.now() - started) / 1000,
    );
  }

  async function* observeStream(request: VisionRequest): AsyncGenerator<VisionStreamEvent> {
    const span = tracing === undefined ? undefined : startModelSpan(tracing, request, true);
    const started = performance.now();
    // Stays CANCELLED when the consumer stops early: the SDK stream is then abandoned.
    let outcome = 'CANCELLED';
    let firstChunk = true;
    try {
      for await (const event of model.describeStream(request)) {
        if (event.type === 'delta' && firstChunk) {
          firstChunk = false;
          span?.setAttribute(GEN_AI.responseTimeToFirstChunk, (performance.now() - started) / 1000);
        }
        if (event.type === 'done') {
          outcome = 'ok';
          if (span !== undefined) finishModelSpan(span, tracing!, event.result);
        }
        yield event;
      }
    } catch (error) {
      outcome = outcomeOf(error);
      if (span !== undefined) failSpan(span, error);
      throw error;
    } finally {
      observe(request, started, outcome);
      span?.end();
    }
  }

  return {
    // Whatever else the model carries (its provider) passes through.
    ...model,
    async describe(request) {
      const span: Span | undefined = tracing === undefined ? undefined : startModelSpan(tracing, request, false);
      const started = performance.now();
      try {
        const result = await model.describe(request);
        observe(request, started, 'ok');
        if (span !== undefined) finishModelSpan(span, tracing!, result);
        return result;
      } catch (error) {
        observe(request, started, outcomeOf(error));
        if (span !== undefined) failSpan(span, error);
        throw error;
      } finally {
        span?.end();
      }
    },
    describeStream: observeStream,
  };
}
