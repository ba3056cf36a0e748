import type { ResponseStream } from '@aws-sdk/client-bedrock-runtime';
import { AppError } from '../errors.js';
import { incompleteStreamError, type StreamDecoder } from './readModelStream.js';
import { anthropicTokenCounts, fromAnthropicUsage, type AnthropicUsage } from './visionUsage.js';

/** The Anthropic Messages streaming events Bedrock wraps in `chunk.bytes` (only the fields read here). */
type AnthropicStreamChunk =
  | { type: 'message_start'; message?: { usage?: AnthropicUsage } }
  | { type: 'content_block_delta'; delta?: { type?: string; text?: string } }
  | { type: 'message_delta'; delta?: { stop_reason?: string | null }; usage?: { output_tokens?: number } }
  | {
      type: 'message_stop';
      'amazon-bedrock-invocationMetrics'?: {
        inputTokenCount?: number;
        outputTokenCount?: number;
        invocationLatency?: number;
      };
    }
  | { type: 'error'; error?: { type?: string; message?: string } }
  | { type: 'ping' | 'content_block_start' | 'content_block_stop' };

/**
 * InvokeModelWithResponseStream for Anthropic models: input and cache counts from
 * `message_start`, text from `content_block_delta`, stop reason and output count from
 * `message_delta`, Bedrock's invocation latency from `message_stop`.
 */
export function anthropicStreamDecoder(): StreamDecoder<ResponseStream> {
  const decoder = new TextDecoder();
  let text = '';
  let stopped = false;
  let stopReason: string | undefined;
  let usage: AnthropicUsage = {};
  let latencyMs: number | undefined;
  return {
    accept(event) {
      const failure =
        event.internalServerException ??
        event.modelStreamErrorException ??
        event.validationException ??
        event.throttlingException ??
        event.modelTimeoutException ??
        event.serviceUnavailableException;
      if (failure !== undefined) throw failure;
      if (event.chunk?.bytes === undefined) return undefined;
      const chunk = JSON.parse(decoder.decode(event.chunk.bytes)) as AnthropicStreamChunk;
      switch (chunk.type) {
        case 'message_start': {
          // Its output_tokens is a placeholder (1) for what is still to come; the count is message_delta's.
          const start = chunk.message?.usage ?? {};
          usage = {
            ...usage,
            input_tokens: start.input_tokens,
            cache_read_input_tokens: start.cache_read_input_tokens,
            cache_creation_input_tokens: start.cache_creation_input_tokens,
          };
          return undefined;
        }
        case 'content_block_delta': {
          const delta = chunk.delta?.text;
          if (delta !== undefined) text += delta;
          return delta;
        }
        case 'message_delta':
          stopReason = chunk.delta?.stop_reason ?? stopReason;
          if (chunk.usage?.output_tokens !== undefined) usage = { ...usage, output_tokens: chunk.usage.output_tokens };
          return undefined;
        case 'message_stop': {
          stopped = true;
          const metrics = chunk['amazon-bedrock-invocationMetrics'];
          latencyMs = metrics?.invocationLatency;
          usage = {
            ...usage,
            input_tokens: usage.input_tokens ?? metrics?.inputTokenCount,
            output_tokens: usage.output_tokens ?? metrics?.outputTokenCount,
          };
          return undefined;
        }
        case 'error':
          throw new AppError(
            'UPSTREAM_ERROR',
            `Bedrock call failed (${chunk.error?.type ?? 'error'}: ${chunk.error?.message ?? 'no message'})`,
          );
        default:
          return undefined;
      }
    },
    result(requestId) {
      if (!stopped) throw incompleteStreamError();
      return { text, stopReason, usage: fromAnthropicUsage(usage), modelLatencyMs: latencyMs, requestId };
    },
    // message_start's input count stays even when the stream is cut before message_delta.
    usage: () => anthropicTokenCounts(usage),
  };
}
