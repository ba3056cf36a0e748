import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import type { AppMetrics } from './createMetrics.js';
import { codeLabel } from './labels.js';
import { logOperation } from './logOperation.js';
import type { OperationRecord } from './OperationRecord.js';
import { GRAPHQL_OPERATION_NAME, GRAPHQL_OPERATION_TYPE } from './semanticAttributes.js';
import type { Tracing } from './Tracing.js';

/** A GraphQL context that carries its request's record (see createOperationContext). */
export interface OperationContext {
  readonly operation: OperationRecord;
}

/**
 * The operation label: the root field when there is one (the schema bounds its values), else
 * `multiple`. The client's operation name is not used: clients choose it freely.
 */
export function rootFieldLabel(operation: OperationDefinitionNode): string {
  const [first, ...rest] = operation.selectionSet.selections;
  return first !== undefined && rest.length === 0 && first.kind === Kind.FIELD ? first.name.value : 'multiple';
}

/**
 * Per GraphQL operation over HTTP: the requests counter and latency histogram, the one log line,
 * and, when tracing is on, the operation's type and name on the request's span. Requests refused
 * before GraphQL runs (admission, body limits) are counted by admission and the HTTP layer instead.
 */
export function createOperationPlugin<C extends object>(deps: {
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly tracing: Tracing | undefined;
}): ApolloServerPlugin<C> {
  const { metrics, logger, tracing } = deps;
  return {
    async requestDidStart({ contextValue, request }) {
      // The context built by createOperationContext carries the request's record; any other
      // context still gets its line, with a record of its own.
      const record = (contextValue as Partial<OperationContext>).operation ?? {
        requestId: randomUUID(),
        startedAt: performance.now(),
      };
      let operationLabel = 'unknown';
      // The document's own name for the operation, else the one the request asked for.
      let operationName = request.operationName ?? undefined;
      return {
        async didResolveOperation({ operation, operationName: resolvedName }) {
          if (operation === undefined) return;
          operationLabel = rootFieldLabel(operation);
          operationName = resolvedName ?? operation.name?.value ?? operationName;
          if (tracing !== undefined) {
            const span = trace.getActiveSpan();
            span?.setAttributes({
              [GRAPHQL_OPERATION_TYPE]: operation.operation,
              [GRAPHQL_OPERATION_NAME]: operationName ?? operationLabel,
            });
            span?.updateName(`${operation.operation} ${operationLabel}`);
          }
        },
        async willSendResponse({ response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const rawCode = errors?.[0]?.extensions?.code;
          const code = errors === undefined || errors.length === 0 ? undefined : codeLabel(rawCode);
          const status = response.http.status ?? 200;
          metrics.operations.inc({ operation: operationLabel, status: String(status), code: code ?? '' });
          metrics.operationSeconds.observe(
            { operation: operationLabel },
            (performance.now() - record.startedAt) / 1000,
          );
          logOperation(logger, record, {
            operation: operationLabel,
            operationName,
            status,
            code,
          });
        },
      };
    },
  };
}
