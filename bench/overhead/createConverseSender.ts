import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import type { Outcome, Send } from './runOpenLoop.js';

/** The API's default model: retired on real Bedrock, served by the emulator (the API runs with MODEL_LIFECYCLE=off). */
export const BENCH_MODEL_ID = 'anthropic.claude-3-sonnet-20240229-v1:0';
export const BENCH_PROMPT = 'What is in this image?';
export const BENCH_MAX_TOKENS = 1000;

/**
 * Path (a): the Converse request sent straight to Bedrock with the AWS SDK, the same one the API sends for
 * `describeImage` (the image block, then the prompt), over the same transport as the API's own client: HTTP/2 with
 * concurrent streams on a kept session, standard retries. The Bedrock runtime client's default handler opens a new
 * HTTP/2 session for every request (`disableConcurrentStreams: true`), which would add a TCP and HTTP/2 handshake
 * to (a) that the API does not pay, hide that much of the API's overhead, and cost the generator ~1 ms of CPU more
 * per request.
 */
export function createConverseSender(endpoint: string, jpeg: Uint8Array): { send: Send; close: () => void } {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    requestHandler: new NodeHttp2Handler(),
  });
  const input: ConverseCommandInput = {
    modelId: BENCH_MODEL_ID,
    messages: [
      { role: 'user', content: [{ image: { format: 'jpeg', source: { bytes: jpeg } } }, { text: BENCH_PROMPT }] },
    ],
    inferenceConfig: { maxTokens: BENCH_MAX_TOKENS },
  };
  const send: Send = async (signal) => {
    try {
      const output = await client.send(new ConverseCommand(input), { abortSignal: signal });
      return output.output?.message === undefined ? { code: 'NO_MESSAGE' } : { code: 'OK' };
    } catch (error) {
      return failure(error, signal);
    }
  };
  return { send, close: () => client.destroy() };
}

function failure(error: unknown, signal: AbortSignal): Outcome {
  if (signal.aborted) return { code: 'TIMEOUT' };
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  // A plain JavaScript error (a TypeError inside the SDK) says nothing by its name alone: keep its message's start.
  const name = e.code ?? (e.$metadata === undefined && e.message ? `${e.name}: ${e.message.slice(0, 80)}` : e.name);
  return { code: `${name ?? 'ERROR'}${status === undefined ? '' : ` (HTTP ${status})`}` };
}
