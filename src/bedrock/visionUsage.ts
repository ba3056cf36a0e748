import type { TokenUsage as ConverseUsage } from '@aws-sdk/client-bedrock-runtime';
import type { TokenCounts } from './ModelAttempt.js';
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

const present = <K extends string>(key: K, value: number | null | undefined): { [P in K]?: number } =>
  (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: number };

/** Converse's usage as far as it arrived: nothing is assumed for what is missing (see TokenCounts). */
export function converseTokenCounts(u: ConverseUsage | undefined): TokenCounts {
  return {
    ...present('inputTokens', u?.inputTokens),
    ...present('outputTokens', u?.outputTokens),
    ...present('totalTokens', u?.totalTokens),
    ...present('cacheReadInputTokens', u?.cacheReadInputTokens),
    ...present('cacheWriteInputTokens', u?.cacheWriteInputTokens),
  };
}

/** Anthropic's usage as far as it arrived; the total is computed only when both counts are there. */
export function anthropicTokenCounts(u: AnthropicUsage | undefined): TokenCounts {
  const counts = {
    ...present('inputTokens', u?.input_tokens),
    ...present('outputTokens', u?.output_tokens),
    ...present('cacheReadInputTokens', u?.cache_read_input_tokens),
    ...present('cacheWriteInputTokens', u?.cache_creation_input_tokens),
  };
  return counts.inputTokens === undefined || counts.outputTokens === undefined
    ? counts
    : { ...counts, totalTokens: fromAnthropicUsage(u).totalTokens };
}

/**
 * InvokeModel's token-count headers: Bedrock sends them with the status, so they survive a body
 * that is then cut or damaged.
 */
export function headerTokenCounts(headers: Record<string, string | undefined>): TokenCounts {
  const count = (name: string) => {
    const value = headers[name];
    return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
  };
  return anthropicTokenCounts({
    input_tokens: count('x-amzn-bedrock-input-token-count'),
    output_tokens: count('x-amzn-bedrock-output-token-count'),
  });
}
