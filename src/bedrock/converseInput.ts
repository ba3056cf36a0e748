import type { ContentBlock, ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import type { VisionRequest } from './VisionModel.js';

/** `key=value` tags as a string map: Converse's `requestMetadata`, and how the ledger stores them. */
export function tagsAsMetadata(tags: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    tags.map((tag) => {
      const at = tag.indexOf('=');
      return [tag.slice(0, at), tag.slice(at + 1)];
    }),
  );
}

/**
 * The Converse (and ConverseStream) input for a request: one user message with the
 * images before the prompt, as in the seed. Optional settings are sent only when set; the
 * service tier as `serviceTier: { type }` and tags as `requestMetadata` (a string map), the
 * shapes of ConverseCommandInput in @aws-sdk/client-bedrock-runtime.
 */
export function converseInput(
  request: VisionRequest,
): Pick<
  ConverseCommandInput,
  'modelId' | 'messages' | 'system' | 'inferenceConfig' | 'serviceTier' | 'requestMetadata'
> {
  const content: ContentBlock[] = request.images.map((image) => ({
    image: { format: image.format, source: { bytes: image.bytes } },
  }));
  content.push({ text: request.prompt });
  const { stopSequences } = request;
  return {
    modelId: request.modelId,
    messages: [{ role: 'user', content }],
    ...(request.system === undefined ? {} : { system: [{ text: request.system }] }),
    inferenceConfig: {
      maxTokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { topP: request.topP }),
      ...(stopSequences.length === 0 ? {} : { stopSequences: [...stopSequences] }),
    },
    // Both only when set, so a request without them is the request Bedrock has always been sent.
    ...(request.serviceTier === undefined
      ? {}
      : { serviceTier: { type: request.serviceTier === 'PRIORITY' ? 'priority' : 'flex' } }),
    ...(request.tags === undefined || request.tags.length === 0
      ? {}
      : { requestMetadata: tagsAsMetadata(request.tags) }),
  };
}
