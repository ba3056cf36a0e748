import { answerConverse } from './answerConverse.js';
import { answerConverseStream } from './answerConverseStream.js';
import { answerInvokeModel } from './answerInvokeModel.js';
import { answerInvokeModelWithResponseStream } from './answerInvokeModelWithResponseStream.js';
import type { OperationRoute } from './operation.js';

/** The model operations served, keyed by the last path segment. */
export const operationRoutes: readonly OperationRoute[] = [
  { operation: 'Converse', action: 'converse', streams: false, handle: answerConverse },
  { operation: 'ConverseStream', action: 'converse-stream', streams: true, handle: answerConverseStream },
  { operation: 'InvokeModel', action: 'invoke', streams: false, handle: answerInvokeModel },
  {
    operation: 'InvokeModelWithResponseStream',
    action: 'invoke-with-response-stream',
    streams: true,
    handle: answerInvokeModelWithResponseStream,
  },
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
