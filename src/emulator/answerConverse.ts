import { describeImages } from './describeImages.js';
import type { OperationAnswer, OperationInput } from './operation.js';
import { parseConverseRequest } from './parseConverseRequest.js';

/** Answers `POST /model/{modelId}/converse` with Converse's JSON shape; any model id is served. */
export async function answerConverse(input: OperationInput): Promise<OperationAnswer> {
  const answer = await describeImages(parseConverseRequest(input.body), input.images, input.rewriteText);
  return {
    kind: 'json',
    headers: {},
    body: {
      output: { message: { role: 'assistant', content: [{ text: answer.text }] } },
      stopReason: answer.stopReason,
      usage: {
        inputTokens: answer.inputTokens,
        outputTokens: answer.outputTokens,
        totalTokens: answer.inputTokens + answer.outputTokens,
      },
      metrics: { latencyMs: Date.now() - input.startedAt },
    },
  };
}
