import { anthropicMessageId, anthropicModelName, describeAnthropicRequest } from './anthropicModel.js';
import type { OperationAnswer, OperationInput, StreamEvent } from './operation.js';
import { splitIntoChunks } from './splitIntoChunks.js';

/**
 * Answers `POST /model/{modelId}/invoke-with-response-stream` for Anthropic models: each event is a `chunk` whose
 * `bytes` hold one event of Anthropic's Messages stream (`message_start` … `message_stop`), the last one carrying the
 * `amazon-bedrock-invocationMetrics` Bedrock adds. Text and usage are InvokeModel's for the same body.
 */
export async function answerInvokeModelWithResponseStream(input: OperationInput): Promise<OperationAnswer> {
  const answer = await describeAnthropicRequest(input);
  return {
    kind: 'event-stream',
    headers: { 'x-amzn-bedrock-content-type': 'application/json' },
    opening: [
      chunk({
        type: 'message_start',
        message: {
          id: anthropicMessageId(),
          type: 'message',
          role: 'assistant',
          model: anthropicModelName(input.modelId),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Anthropic counts the first output token here and the total in message_delta; clients must not add them.
          usage: { input_tokens: answer.inputTokens, output_tokens: Math.min(1, answer.outputTokens) },
        },
      }),
      chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ],
    deltas: splitIntoChunks(answer.text).map((text) =>
      chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    ),
    ending: ({ firstEventAt }) => [
      chunk({ type: 'content_block_stop', index: 0 }),
      chunk({
        type: 'message_delta',
        delta: { stop_reason: answer.stopReason, stop_sequence: answer.stopSequence },
        usage: { output_tokens: answer.outputTokens },
      }),
      chunk({
        type: 'message_stop',
        'amazon-bedrock-invocationMetrics': {
          inputTokenCount: answer.inputTokens,
          outputTokenCount: answer.outputTokens,
          invocationLatency: Date.now() - input.startedAt,
          firstByteLatency: firstEventAt - input.startedAt,
        },
      }),
    ],
  };
}

/** InvokeModelWithResponseStream wraps every model event as base64 JSON in a `chunk` event's `bytes`. */
function chunk(modelEvent: unknown): StreamEvent {
  return {
    eventType: 'chunk',
    payload: { bytes: Buffer.from(JSON.stringify(modelEvent)).toString('base64') },
  };
}
