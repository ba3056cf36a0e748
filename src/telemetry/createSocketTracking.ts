import { randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import { getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Logger } from 'pino';
import type { DescribeImageUseCase } from '../describe/index.js';
import { isAppError } from '../errors.js';
import type { AppMetrics } from './createMetrics.js';
import type { OperationContext } from './createOperationPlugin.js';
import { rootFieldLabel } from './createOperationPlugin.js';
import type { WithCaller } from './createHttpObservation.js';
import { createOperationContext } from './createRequestTracking.js';
import { codeLabel } from './labels.js';
import { logOperation } from './logOperation.js';
import type { OperationRecord } from './OperationRecord.js';
import { GRAPHQL_OPERATION_NAME, GRAPHQL_OPERATION_TYPE } from './semanticAttributes.js';
import type { Tracing } from './Tracing.js';

interface SocketOperation {
  readonly record: OperationRecord;
  readonly label: string;
  readonly operationName: string | undefined;
  readonly span: Span | undefined;
  /** The first error's code, once one was sent. */
  code: string | undefined;
}

type Run<T> = (args: ExecutionArgs) => T;

/**
 * The operation plugin's work for GraphQL over WebSocket (graphql-ws), where Apollo's plugins do
 * not run: a record and context per operation, the counter (with `status="ws"`), the one log line
 * when the operation ends, and, when tracing is on, a server span per operation that the
 * operation's own spans hang under, also while a subscription's stream is read.
 */
export function createSocketTracking(deps: {
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly tracing: Tracing | undefined;
  readonly defaultModelId: string;
}) {
  const { metrics, logger, tracing } = deps;
  const bySocket = new WeakMap<object, Map<string, SocketOperation>>();
  const spans = new WeakMap<OperationRecord, Span>();

  function finish(socket: object, id: string, code?: string): void {
    const operations = bySocket.get(socket);
    const operation = operations?.get(id);
    if (operation === undefined) return;
    operations!.delete(id);
    const finalCode = code ?? operation.code;
    metrics.operations.inc({ operation: operation.label, status: 'ws', code: finalCode ?? '' });
    metrics.operationSeconds.observe(
      { operation: operation.label },
      (performance.now() - operation.record.startedAt) / 1000,
    );
    logOperation(logger, operation.record, {
      operation: operation.label,
      operationName: operation.operationName,
      status: undefined,
      code: finalCode,
    });
    operation.span?.end();
  }

  function firstCode(errors: readonly unknown[] | undefined): string | undefined {
    const first = errors?.[0] as { originalError?: unknown; extensions?: Record<string, unknown> } | undefined;
    if (first === undefined) return undefined;
    if (isAppError(first.originalError)) return first.originalError.code;
    return codeLabel(first.extensions?.code);
  }

  /** Runs `run` (graphql's execute or subscribe) inside the operation's span, the stream it returns too. */
  function withinSpan<T>(run: Run<T>): Run<T> {
    return (args) => {
      const record = (args.contextValue as Partial<OperationContext> | undefined)?.operation;
      const span = record === undefined ? undefined : spans.get(record);
      if (span === undefined) return run(args);
      const active = trace.setSpan(ROOT_CONTEXT, span);
      return context.with(active, () => {
        const result = run(args) as unknown;
        if (result instanceof Promise) {
          return result.then((resolved: unknown) => bindStream(resolved, active)) as T;
        }
        return bindStream(result, active) as T;
      });
    };
  }

  return {
    /** graphql-ws `context`: the shared context with this operation's record. */
    context<C extends { readonly describe: DescribeImageUseCase } & WithCaller>(
      shared: C,
      socket: object,
      id: string,
      args: ExecutionArgs,
    ): C & { readonly operation: OperationRecord } {
      const definition = getOperationAST(args.document, args.operationName);
      const label = definition === null || definition === undefined ? 'unknown' : rootFieldLabel(definition);
      const record: OperationRecord = { requestId: randomUUID(), startedAt: performance.now() };
      if (shared.caller?.kind === 'key' && shared.caller.key !== undefined) record.keyPrefix = shared.caller.key.prefix;
      let span: Span | undefined;
      if (tracing !== undefined && definition !== null && definition !== undefined) {
        span = tracing.tracer.startSpan(`${definition.operation} ${label}`, {
          kind: SpanKind.SERVER,
          attributes: {
            [GRAPHQL_OPERATION_TYPE]: definition.operation,
            [GRAPHQL_OPERATION_NAME]: args.operationName ?? definition.name?.value ?? label,
            'network.protocol.name': 'websocket',
          },
        });
        spans.set(record, span);
      }
      const operations = bySocket.get(socket) ?? new Map<string, SocketOperation>();
      bySocket.set(socket, operations);
      operations.set(id, {
        record,
        label,
        operationName: args.operationName ?? definition?.name?.value,
        span,
        code: undefined,
      });
      return createOperationContext(shared, record, deps.defaultModelId);
    },
    /** graphql-ws `onNext`: remembers the first error a result carried. */
    noteResult(socket: object, id: string, result: ExecutionResult): void {
      const operation = bySocket.get(socket)?.get(id);
      if (operation !== undefined && operation.code === undefined) operation.code = firstCode(result.errors);
    },
    /** graphql-ws `onError`: the operation ended with these errors. */
    failed(socket: object, id: string, errors: readonly unknown[]): void {
      finish(socket, id, firstCode(errors));
    },
    /** graphql-ws `onComplete` (also after an abrupt close). */
    completed(socket: object, id: string): void {
      finish(socket, id);
    },
    /** graphql-ws `onClose`: operations the library did not complete are ended here. */
    closed(socket: object): void {
      for (const id of [...(bySocket.get(socket)?.keys() ?? [])]) finish(socket, id, 'CANCELLED');
      bySocket.delete(socket);
    },
    /** graphql-ws `execute` and `subscribe`, wrapped when tracing is on; undefined otherwise. */
    execute: <T>(run: Run<T>): Run<T> | undefined => (tracing === undefined ? undefined : withinSpan(run)),
  };
}

/**
 * A subscription's stream is read by graphql-ws long after `subscribe` returned, outside the
 * operation's context: each step is run inside it again, so spans started while reading (the
 * Bedrock call, the ledger writes) are children of the operation's span.
 */
function bindStream(result: unknown, active: Context): unknown {
  if (result === null || typeof result !== 'object' || !(Symbol.asyncIterator in result)) return result;
  const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const bound: AsyncIterableIterator<unknown> = {
    next: (...args: [] | [unknown]) => context.with(active, () => iterator.next(...args)),
    return: (value?: unknown) =>
      context.with(active, () => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value })),
    throw: (error?: unknown) => context.with(active, () => iterator.throw?.(error) ?? Promise.reject(error)),
    [Symbol.asyncIterator]: () => bound,
  };
  return bound;
}

export type SocketTracking = ReturnType<typeof createSocketTracking>;
