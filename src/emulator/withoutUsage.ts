import { isRecord } from './isRecord.js';
import type { OperationAnswer, StreamEvent } from './operation.js';

/** What Bedrock adds to Anthropic's `message_stop`: latencies, and the token counts a 'no-usage' answer lacks. */
const INVOCATION_METRICS = 'amazon-bedrock-invocationMetrics';

/** The response headers in which InvokeModel reports usage. */
const USAGE_HEADERS = new Set(['x-amzn-bedrock-input-token-count', 'x-amzn-bedrock-output-token-count']);

/**
 * The same answer with every trace of usage removed, for the 'no-usage' fault: a client must then say that it does
 * not know what the call cost, rather than record zero tokens. Works on the rendered answer so each operation keeps
 * a single way of answering.
 */
export function withoutUsage(answer: OperationAnswer): OperationAnswer {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !USAGE_HEADERS.has(name)));
  if (answer.kind === 'json') return { ...answer, headers, body: withoutKeys(answer.body, ['usage']) };
  return {
    ...answer,
    headers,
    opening: answer.opening.map(eventWithoutUsage),
    deltas: answer.deltas.map(eventWithoutUsage),
    ending: (timing) => answer.ending(timing).map(eventWithoutUsage),
  };
}

function eventWithoutUsage(event: StreamEvent): StreamEvent {
  // ConverseStream's `metadata` carries the usage; every other Converse event has none.
  if (event.eventType === 'metadata') return { ...event, payload: withoutKeys(event.payload, ['usage']) };
  if (event.eventType !== 'chunk' || typeof event.payload.bytes !== 'string') return event;
  // InvokeModelWithResponseStream: Anthropic's events inside base64 JSON.
  const modelEvent: unknown = JSON.parse(Buffer.from(event.payload.bytes, 'base64').toString('utf8'));
  if (!isRecord(modelEvent)) return event;
  const stripped: Record<string, unknown> = withoutKeys(modelEvent, ['usage']);
  if (isRecord(stripped.message)) stripped.message = withoutKeys(stripped.message, ['usage']);
  const metrics = stripped[INVOCATION_METRICS];
  if (isRecord(metrics)) stripped[INVOCATION_METRICS] = withoutKeys(metrics, ['inputTokenCount', 'outputTokenCount']);
  const bytes = Buffer.from(JSON.stringify(stripped)).toString('base64');
  return { ...event, payload: { ...event.payload, bytes } };
}

function withoutKeys<T>(value: T, keys: readonly string[]): T {
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key))) as T;
}
