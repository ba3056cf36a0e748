import type { TokenUsage as ConverseUsage } from '@aws-sdk/client-bedrock-runtime';
import type { VisionUsage } from './VisionModel.js';

/** Usage in the Anthropic Messages shape, as InvokeModel's body and stream chunks carry it. */
export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

function usage(
  input: number,
  output: number,
  cacheRead: number | undefined,
  cacheWrite: number | undefined,
  total?: number,
): VisionUsage {
  return {
    inputTokens: input,
    outputTokens: output,
    // Bedrock counts cache reads and writes apart from input; its own total includes them.
    totalTokens: total ?? input + output + (cacheRead ?? 0) + (cacheWrite ?? 0),
    ...(cacheRead === undefined ? {} : { cacheReadInputTokens: cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWriteInputTokens: cacheWrite }),
  };
}

/** Converse's `usage` (whole or streamed `metadata.usage`). */
export function fromConverseUsage(u: ConverseUsage | undefined): VisionUsage {
  return usage(
    u?.inputTokens ?? 0,
    u?.outputTokens ?? 0,
    u?.cacheReadInputTokens ?? undefined,
    u?.cacheWriteInputTokens ?? undefined,
    u?.totalTokens,
  );
}

/** Anthropic's `usage`; Anthropic calls a cache write a cache creation. */
export function fromAnthropicUsage(u: AnthropicUsage | undefined): VisionUsage {
  return usage(u?.input_tokens ?? 0, u?.output_tokens ?? 0, u?.cache_read_input_tokens, u?.cache_creation_input_tokens);
}
