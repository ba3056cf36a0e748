import type { AttemptLog } from './ModelAttempt.js';
import { anthropicTokenCounts, type AnthropicUsage } from './visionUsage.js';

/** The Anthropic Messages answer InvokeModel returns (only the fields read). */
export interface AnthropicResponse {
  content?: { type: string; text?: string }[];
  stop_reason?: string;
  usage?: AnthropicUsage;
}

/**
 * InvokeModel's body, parsed. The SDK hands it over as bytes without reading it, so a body cut
 * short or replaced on the way (an HTML error page from a proxy) is found here: the attempt is
 * then DAMAGED, billed, and keeps the token counts its headers carried. A body's own usage, when
 * complete, is preferred to the headers'.
 */
export function parseAnthropicBody(bytes: Uint8Array | undefined, log: AttemptLog | undefined): AnthropicResponse {
  let body: AnthropicResponse;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes)) as AnthropicResponse;
  } catch (error) {
    log?.updateLast((attempt) => ({ ...attempt, outcome: 'DAMAGED', errorType: (error as Error).name }));
    throw error;
  }
  const usage = anthropicTokenCounts(body.usage);
  if (usage.inputTokens !== undefined && usage.outputTokens !== undefined) {
    log?.updateLast((attempt) => ({ ...attempt, usage }));
  }
  return body;
}
