import type { ConverseStreamOutput, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import { incompleteStreamError, type StreamDecoder } from './readModelStream.js';
import { converseTokenCounts, fromConverseUsage } from './visionUsage.js';

/**
 * ConverseStream's events: text from `contentBlockDelta`, the stop reason from
 * `messageStop`, usage and Bedrock's latency from `metadata` (which follows messageStop).
 */
export function converseStreamDecoder(): StreamDecoder<ConverseStreamOutput> {
  let text = '';
  let stopped = false;
  let stopReason: string | undefined;
  let usage: TokenUsage | undefined;
  let latencyMs: number | undefined;
  return {
    accept(event) {
      // The SDK throws exception events itself; these members are the modelled fallback.
      const failure =
        event.internalServerException ??
        event.modelStreamErrorException ??
        event.validationException ??
        event.throttlingException ??
        event.serviceUnavailableException;
      if (failure !== undefined) throw failure;
      if (event.contentBlockDelta !== undefined) {
        const delta = event.contentBlockDelta.delta?.text;
        if (delta !== undefined) text += delta;
        return delta;
      }
      if (event.messageStop !== undefined) {
        stopped = true;
        stopReason = event.messageStop.stopReason;
      }
      if (event.metadata !== undefined) {
        usage = event.metadata.usage;
        latencyMs = event.metadata.metrics?.latencyMs;
      }
      return undefined;
    },
    result(requestId) {
      if (!stopped) throw incompleteStreamError();
      return { text, stopReason, usage: fromConverseUsage(usage), modelLatencyMs: latencyMs, requestId };
    },
    usage: () => converseTokenCounts(usage),
  };
}
