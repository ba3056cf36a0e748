import { describeImages } from './describeImages.js';
import type { OperationAnswer, OperationInput } from './operation.js';
import { parseConverseRequest } from './parseConverseRequest.js';
import { splitIntoChunks } from './splitIntoChunks.js';

/**
 * Answers `POST /model/{modelId}/converse-stream` with the events Bedrock sends for a text answer: `messageStart`,
 * `contentBlockDelta`s, `contentBlockStop`, `messageStop`, `metadata`. Text and usage are Converse's for the same
 * request. Bedrock sends no `contentBlockStart` for a text block, only for tool use, so neither does the emulator.
 */
export async function answerConverseStream(input: OperationInput): Promise<OperationAnswer> {
  const answer = await describeImages(parseConverseRequest(input.body), input.images, input.rewriteText);
  return {
    kind: 'event-stream',
    headers: {},
    opening: [{ eventType: 'messageStart', payload: { role: 'assistant' } }],
    deltas: splitIntoChunks(answer.text).map((text) => ({
      eventType: 'contentBlockDelta',
      payload: { contentBlockIndex: 0, delta: { text } },
    })),
    ending: () => [
      { eventType: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { eventType: 'messageStop', payload: { stopReason: answer.stopReason } },
      {
        eventType: 'metadata',
        payload: {
          usage: {
            inputTokens: answer.inputTokens,
            outputTokens: answer.outputTokens,
            totalTokens: answer.inputTokens + answer.outputTokens,
          },
          metrics: { latencyMs: Date.now() - input.startedAt },
        },
      },
    ],
  };
}
