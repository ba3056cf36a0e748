import type { VisionRequest } from './VisionModel.js';

/**
 * The InvokeModel body for Anthropic models, exactly as the seed article builds it:
 * one user message whose content is the base64 image blocks followed by the prompt.
 * Optional parameters are added only when the caller set them, so the seed's own
 * request produces the seed's own body.
 */
export function anthropicMessagesBody(request: VisionRequest): Record<string, unknown> {
  const content: unknown[] = request.images.map((image) => ({
    type: 'image',
    source: {
      type: 'base64',
      media_type: `image/${image.format}`,
      data: Buffer.from(image.bytes).toString('base64'),
    },
  }));
  content.push({ type: 'text', text: request.prompt });
  const body: Record<string, unknown> = {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: request.maxTokens,
    messages: [{ role: 'user', content }],
  };
  if (request.system !== undefined) body.system = request.system;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences.length > 0) {
    body.stop_sequences = [...request.stopSequences];
  }
  return body;
}
