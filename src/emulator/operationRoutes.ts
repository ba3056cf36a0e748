import { answerConverse } from './answerConverse.js';
import { answerInvokeModel } from './answerInvokeModel.js';
import type { OperationRoute } from './operation.js';

/**
 * The model operations served, keyed by the last path segment. Streaming operations join by adding a row here
 * (e.g. `converse-stream`) and an event-stream answer kind in `operation.ts`.
 */
export const operationRoutes: readonly OperationRoute[] = [
  { operation: 'Converse', action: 'converse', handle: answerConverse },
  { operation: 'InvokeModel', action: 'invoke', handle: answerInvokeModel },
];

/**
 * Finds the operation for a request. The SDK percent-encodes the model id as one path segment (`:` as `%3A`, and
 * the `/` inside an ARN as `%2F`), so the id is split out before decoding.
 */
export function matchOperation(
  method: string | undefined,
  path: string,
): { route: OperationRoute; modelId: string } | undefined {
  const segments = path.split('/');
  if (method !== 'POST' || segments.length !== 4 || segments[0] !== '' || segments[1] !== 'model') return undefined;
  const route = operationRoutes.find((r) => r.action === segments[3]);
  if (route === undefined || segments[2] === '') return undefined;
  try {
    return { route, modelId: decodeURIComponent(segments[2]) };
  } catch {
    return undefined;
  }
}
