import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { DescribeImageUseCase } from '../describe/index.js';
import type { AppMetrics } from './createMetrics.js';
import { createOperationPlugin } from './createOperationPlugin.js';
import { createOperationContext, createRequestTracking, operationRecordOf } from './createRequestTracking.js';
import type { OperationRecord } from './OperationRecord.js';
import type { Tracing } from './Tracing.js';

/** The caller as the auth layer describes it; only an API key's public prefix is read. */
export type WithCaller = { readonly caller?: { readonly kind: string; readonly key?: { readonly prefix: string } } };

/**
 * What telemetry adds to GraphQL over HTTP, for the route to mount: `start` in front of
 * admission, `beforeApollo` after the body parsers, the plugin, and `contextOf`, which gives
 * each request's GraphQL context its record (and the API key's prefix, for the log line).
 */
export function createHttpObservation<C extends { readonly describe: DescribeImageUseCase } & WithCaller>(deps: {
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly tracing: Tracing | undefined;
  readonly defaultModelId: string;
}) {
  const tracking = createRequestTracking(deps.tracing);
  return {
    start: tracking.start,
    /** Empty when tracing is off. */
    beforeApollo: tracking.activate === undefined ? [] : [tracking.activate],
    plugin: createOperationPlugin<C>(deps) as ApolloServerPlugin<C>,
    contextOf(shared: C, res: { locals: Record<string, unknown> }): C {
      const record: OperationRecord = operationRecordOf(res) ?? {
        requestId: randomUUID(),
        startedAt: performance.now(),
      };
      if (shared.caller?.kind === 'key' && shared.caller.key !== undefined) record.keyPrefix = shared.caller.key.prefix;
      return createOperationContext(shared, record, deps.defaultModelId);
    },
  };
}

export type HttpObservation<C extends { readonly describe: DescribeImageUseCase } & WithCaller> = ReturnType<
  typeof createHttpObservation<C>
>;
