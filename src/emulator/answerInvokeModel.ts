import { randomBytes } from 'node:crypto';

import { validationError } from './bedrockError.js';
import { describeImages } from './describeImages.js';
import type { OperationAnswer, OperationInput } from './operation.js';
import { parseInvokeModelBody } from './parseInvokeModelBody.js';

/**
 * Answers `POST /model/{modelId}/invoke` for Anthropic models with the Messages response body and the token and
 * latency headers Bedrock adds. Other providers' bodies differ; rather than pretend, they are refused.
 */
export async function answerInvokeModel(input: OperationInput): Promise<OperationAnswer> {
  if (!isAnthropicModel(input.modelId)) {
    throw validationError(
      `Malformed input request: the emulator's InvokeModel speaks only the Anthropic Messages body, and ${input.modelId} is not an Anthropic model, please reformat your input and try again.`,
    );
  }
  const answer = await describeImages(parseInvokeModelBody(input.body));
  const latencyMs = Date.now() - input.startedAt;
  return {
    kind: 'json',
    headers: {
      'x-amzn-bedrock-input-token-count': String(answer.inputTokens),
      'x-amzn-bedrock-output-token-count': String(answer.outputTokens),
      'x-amzn-bedrock-invocation-latency': String(latencyMs),
    },
    body: {
      id: messageId(),
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

/** Bare ids, inference profiles (`us.anthropic…`) and ARNs all carry the provider as `anthropic.`. */
export function isAnthropicModel(modelId: string): boolean {
  return /(^|[./])anthropic\./.test(modelId);
}

/** The `model` field Anthropic reports: `claude-3-sonnet-20240229` for `anthropic.claude-3-sonnet-20240229-v1:0`. */
export function anthropicModelName(modelId: string): string {
  const bare = modelId.slice(modelId.lastIndexOf('anthropic.') + 'anthropic.'.length);
  return bare.replace(/-v\d+(:\d+)?$/, '').replace(/:\d+$/, '');
}

/** Message ids only need to be unique; their shape follows Bedrock's `msg_bdrk_…`. */
function messageId(): string {
  return 'msg_bdrk_01' + randomBytes(16).toString('base64url').replace(/[-_]/g, 'x').slice(0, 22);
}
