import { randomBytes } from 'node:crypto';

import { validationError } from './bedrockError.js';
import { describeImages } from './describeImages.js';
import type { ModelAnswer } from './describeImages.js';
import type { OperationInput } from './operation.js';
import { parseInvokeModelBody } from './parseInvokeModelBody.js';

/**
 * The model's answer to an InvokeModel body, streamed or not. Other providers' bodies differ; rather than pretend,
 * they are refused.
 */
export async function describeAnthropicRequest(input: OperationInput): Promise<ModelAnswer> {
  if (!isAnthropicModel(input.modelId)) {
    throw validationError(
      `Malformed input request: the emulator's InvokeModel speaks only the Anthropic Messages body, and ${input.modelId} is not an Anthropic model, please reformat your input and try again.`,
    );
  }
  return describeImages(parseInvokeModelBody(input.body), input.images, input.rewriteText);
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
export function anthropicMessageId(): string {
  return 'msg_bdrk_01' + randomBytes(16).toString('base64url').replace(/[-_]/g, 'x').slice(0, 22);
}
