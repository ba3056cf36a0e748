import { context, SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import type { VisionRequest, VisionResult } from '../bedrock/index.js';
import { AWS_BEDROCK, AWS_REQUEST_ID, CHAT, GEN_AI } from './semanticAttributes.js';
import type { Tracing } from './Tracing.js';

/**
 * The Bedrock call's span, named and described as OpenTelemetry's GenAI conventions have it
 * (`chat {model}`, kind CLIENT, gen_ai.* attributes). No prompt and no image content unless the
 * operator opted in, and image bytes never.
 */
export function startModelSpan(tracing: Tracing, request: VisionRequest, stream: boolean): Span {
  const attributes: Attributes = {
    [GEN_AI.operationName]: CHAT,
    [GEN_AI.providerName]: AWS_BEDROCK,
    [GEN_AI.requestModel]: request.modelId,
    [GEN_AI.requestMaxTokens]: request.maxTokens,
    [GEN_AI.requestStream]: stream,
    'aws.bedrock.api': request.api,
  };
  if (request.temperature !== undefined) attributes[GEN_AI.requestTemperature] = request.temperature;
  if (request.topP !== undefined) attributes[GEN_AI.requestTopP] = request.topP;
  if (tracing.captureMessageContent) {
    // Text parts only: the images are described by count, never by content.
    const parts: unknown[] = request.images.map((image) => ({ type: 'image', format: image.format }));
    parts.push({ type: 'text', content: request.prompt });
    attributes[GEN_AI.inputMessages] = JSON.stringify([{ role: 'user', parts }]);
    if (request.system !== undefined) {
      attributes[GEN_AI.systemInstructions] = JSON.stringify([{ type: 'text', content: request.system }]);
    }
  }
  return tracing.tracer.startSpan(
    `${CHAT} ${request.modelId}`,
    { kind: SpanKind.CLIENT, attributes },
    context.active(),
  );
}

/** Usage, finish reason and Bedrock's request id on a call that answered. */
export function finishModelSpan(span: Span, tracing: Tracing, result: VisionResult): void {
  span.setAttributes({
    [GEN_AI.usageInputTokens]: result.usage.inputTokens,
    [GEN_AI.usageOutputTokens]: result.usage.outputTokens,
  });
  if (result.usage.cacheReadInputTokens !== undefined) {
    span.setAttribute(GEN_AI.usageCacheReadInputTokens, result.usage.cacheReadInputTokens);
  }
  if (result.usage.cacheWriteInputTokens !== undefined) {
    span.setAttribute(GEN_AI.usageCacheCreationInputTokens, result.usage.cacheWriteInputTokens);
  }
  if (result.stopReason !== undefined) span.setAttribute(GEN_AI.responseFinishReasons, [result.stopReason]);
  if (result.requestId !== undefined) span.setAttribute(AWS_REQUEST_ID, result.requestId);
  if (tracing.captureMessageContent) {
    span.setAttribute(
      GEN_AI.outputMessages,
      JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: result.text }], finish_reason: result.stopReason },
      ]),
    );
  }
}
