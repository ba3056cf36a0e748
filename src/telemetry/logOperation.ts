import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import type { OperationRecord } from './OperationRecord.js';

/** What the operation plugin knows when the response leaves. */
export interface OperationOutcome {
  /** The root field (`describeImage`, `history`…), `multiple`, or `unknown` when the document was refused. */
  readonly operation: string;
  /** The client's own name for it, cut short: it is theirs to choose. */
  readonly operationName: string | undefined;
  /** The HTTP status; undefined for an operation over WebSocket, which has none of its own. */
  readonly status: number | undefined;
  /** The first error's code; undefined when the operation succeeded. */
  readonly code: string | undefined;
}

const MAX_OPERATION_NAME = 100;

/**
 * The one log line of a GraphQL operation: request id, operation, model, status, code, tokens,
 * cost, latency and key prefix. Never image bytes, never a secret; the prompt only at debug level.
 * Failures the server or Bedrock caused (HTTP status 5xx in the registry) are warnings.
 */
export function logOperation(logger: Logger, record: OperationRecord, outcome: OperationOutcome): void {
  const serverSide = outcome.code !== undefined && statusOf(outcome.code) >= 500;
  const level = serverSide ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line: Record<string, unknown> = {
    requestId: record.requestId,
    operation: outcome.operation,
    ...(outcome.status === undefined ? { transport: 'websocket' } : { status: outcome.status }),
    latencyMs: Math.round(performance.now() - record.startedAt),
  };
  if (outcome.operationName !== undefined) line.operationName = outcome.operationName.slice(0, MAX_OPERATION_NAME);
  if (outcome.code !== undefined) line.code = outcome.code;
  if (record.model !== undefined) line.model = record.model;
  if (record.usage !== undefined) {
    line.inputTokens = record.usage.inputTokens;
    line.outputTokens = record.usage.outputTokens;
  }
  if (record.costUsd !== undefined) line.costUsd = record.costUsd;
  if (record.descriptionId !== undefined) line.descriptionId = record.descriptionId;
  if (record.keyPrefix !== undefined) line.keyPrefix = record.keyPrefix;
  if (record.prompt !== undefined && logger.isLevelEnabled('debug')) line.prompt = record.prompt;
  logger[level](line, 'graphql operation');
}

function statusOf(code: string): number {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode].status : 400;
}
