import type { ContentBlock, ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import type { VisionRequest } from './VisionModel.js';

/**
 * The Converse (and ConverseStream) input for a request: one user message with the
 * images before the prompt, as in the seed. Optional settings are sent only when set.
 */
export function converseInput(
  request: VisionRequest,
): Pick<ConverseCommandInput, 'modelId' | 'messages' | 'system' | 'inferenceConfig'> {
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
  };
}
