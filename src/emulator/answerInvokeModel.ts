import { anthropicMessageId, anthropicModelName, describeAnthropicRequest } from './anthropicModel.js';
import type { OperationAnswer, OperationInput } from './operation.js';

/**
 * Answers `POST /model/{modelId}/invoke` for Anthropic models with the Messages response body and the token and
 * latency headers Bedrock adds.
 */
export async function answerInvokeModel(input: OperationInput): Promise<OperationAnswer> {
  const answer = await describeAnthropicRequest(input);
  const latencyMs = Date.now() - input.startedAt;
  return {
    kind: 'json',
    headers: {
      'x-amzn-bedrock-input-token-count': String(answer.inputTokens),
      'x-amzn-bedrock-output-token-count': String(answer.outputTokens),
      'x-amzn-bedrock-invocation-latency': String(latencyMs),
    },
    body: {
      id: anthropicMessageId(),
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: answer.text }],
      model: anthropicModelName(input.modelId),
      stop_reason: answer.stopReason,
      stop_sequence: answer.stopSequence,
      usage: { input_tokens: answer.inputTokens, output_tokens: answer.outputTokens },
    },
  };
}
