import { context, type Span } from '@opentelemetry/api';
import type { ModelCatalog } from '../bedrock/index.js';
import type { DescriptionRepository, FailedDescription, Store, SucceededDescription } from '../store/index.js';
import type { AppMetrics } from './createMetrics.js';
import { failSpan } from './failSpan.js';
import { modelLabel } from './labels.js';
import { DB_OPERATION_NAME, DB_SYSTEM_NAME } from './semanticAttributes.js';
import type { Tracing } from './Tracing.js';

export interface StoreInstrumentation {
  readonly metrics: AppMetrics;
  readonly catalog: ModelCatalog;
  /** Undefined when tracing is off: then no span is started. */
  readonly tracing: Tracing | undefined;
  /** The `key` label of a row's usage (the key's public prefix); undefined: no key label (open mode). */
  readonly keyLabel?: (apiKeyId: string) => string | undefined;
}

/** Span names an operator looks for: the two writes of every describe, by what they are for. */
const SPAN_NAMES: Record<string, string> = {
  createPending: 'ledger write-ahead',
  succeed: 'ledger completion',
  fail: 'ledger completion',
};

/**
 * The store with every repository call timed (by method name: a fixed set), the ledger's usage
 * counted as it is recorded, and a span per call when tracing is on. Wrapping at the store's
 * public surface sees each statement the request path runs and no SQL text, so nothing of a
 * request's content reaches a label or a span.
 */
export function instrumentStore(store: Store, deps: StoreInstrumentation): Store {
  const descriptions = instrumentMethods(store.descriptions, deps);
  return {
    ...store,
    descriptions: {
      ...descriptions,
      async succeed(pending, outcome) {
        const record = await descriptions.succeed(pending, outcome);
        // An answer served from the exact-request cache billed nothing.
        if (record.cachedFromId === null) countUsage(deps, record);
        return record;
      },
      async fail(pending, failure) {
        const record = await descriptions.fail(pending, failure);
        // A failed call can still have been billed (a damaged answer keeps its usage).
        countUsage(deps, record);
        return record;
      },
    } satisfies DescriptionRepository,
    history: instrumentMethods(store.history, deps),
  };
}

/** Tokens and cost as the ledger recorded them, once per completed row (a replay is not a new row). */
function countUsage(deps: StoreInstrumentation, record: SucceededDescription | FailedDescription): void {
  const { metrics } = deps;
  const { usage } = record;
  // An answer Bedrock sent without usage (usageKnown = false) counts no tokens rather than invented ones.
  if (usage === null) return;
  const model = modelLabel(deps.catalog, record.modelId);
  const key = deps.keyLabel?.(record.apiKeyId);
  const by = key === undefined ? { model } : { model, key };
  metrics.tokens.inc({ ...by, type: 'input' }, usage.inputTokens);
  metrics.tokens.inc({ ...by, type: 'output' }, usage.outputTokens);
  if (usage.cacheReadInputTokens) metrics.tokens.inc({ ...by, type: 'cache_read' }, usage.cacheReadInputTokens);
  if (usage.cacheWriteInputTokens) metrics.tokens.inc({ ...by, type: 'cache_write' }, usage.cacheWriteInputTokens);
  if (record.costUsd !== null) metrics.costUsd.inc(by, Number(record.costUsd));
}

function instrumentMethods<T extends object>(target: T, deps: StoreInstrumentation): T {
  const { metrics, tracing } = deps;
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    const ok = metrics.databaseSeconds.labels({ operation: name, outcome: 'ok' });
    const failed = metrics.databaseSeconds.labels({ operation: name, outcome: 'error' });
    wrapped[name] = (...args: unknown[]) => {
      const span = tracing === undefined ? undefined : startStoreSpan(tracing, name);
      const started = performance.now();
      const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
      // Async iterators (the export) are read at the client's pace: their time is not a query's.
      if (!(result instanceof Promise)) {
        span?.end();
        return result;
      }
      return result.then(
        (resolved: unknown) => {
          ok.observe((performance.now() - started) / 1000);
          span?.end();
          return resolved;
        },
        (error: unknown) => {
          failed.observe((performance.now() - started) / 1000);
          if (span !== undefined) {
            failSpan(span, error);
            span.end();
          }
          throw error;
        },
      );
    };
  }
  return wrapped as T;
}

function startStoreSpan(tracing: Tracing, method: string): Span {
  return tracing.tracer.startSpan(
    SPAN_NAMES[method] ?? `ledger ${method}`,
    { attributes: { [DB_OPERATION_NAME]: method, [DB_SYSTEM_NAME]: 'postgresql' } },
    context.active(),
  );
}
