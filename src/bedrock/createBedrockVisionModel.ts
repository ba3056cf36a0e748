import {
  BedrockRuntimeClient,
  ConverseCommand,
  InvokeModelCommand,
  type ContentBlock,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';
import { anthropicMessagesBody } from './anthropicMessagesBody.js';
import { bedrockErrorToAppError } from './bedrockErrorToAppError.js';
import { connectWithTimeout } from './connectWithTimeout.js';
import type { VisionModel, VisionRequest, VisionResult } from './VisionModel.js';

export interface BedrockVisionModelOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Only for tests and the emulator; otherwise the SDK's default credential chain. */
  readonly credentials?: AwsCredentialIdentity;
}

export interface BedrockVisionModel extends VisionModel {
  /** Closes pooled HTTP/2 sessions so the process can exit. */
  destroy(): void;
}

function converseInput(request: VisionRequest) {
  const content: ContentBlock[] = request.images.map((image) => ({
    image: { format: image.format, source: { bytes: image.bytes } },
  }));
  content.push({ text: request.prompt });
  return {
    modelId: request.modelId,
    messages: [{ role: 'user' as const, content }],
    ...(request.system === undefined ? {} : { system: [{ text: request.system }] }),
    inferenceConfig: {
      maxTokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { topP: request.topP }),
    },
  };
}

function fromConverse(output: ConverseCommandOutput): VisionResult {
  const text = (output.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
  const input = output.usage?.inputTokens ?? 0;
  const out = output.usage?.outputTokens ?? 0;
  return {
    text,
    stopReason: output.stopReason,
    usage: { inputTokens: input, outputTokens: out, totalTokens: output.usage?.totalTokens ?? input + out },
    modelLatencyMs: output.metrics?.latencyMs,
    requestId: output.$metadata.requestId,
  };
}

interface AnthropicResponse {
  content?: { type: string; text?: string }[];
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

/**
 * The real VisionModel: Converse for any model, InvokeModel with the seed's Anthropic
 * body. Standard retry mode retries throttling and 5xx with backoff; timeouts are
 * explicit so a stuck connection becomes UPSTREAM_TIMEOUT instead of a hung request.
 */
export function createBedrockVisionModel(options: BedrockVisionModelOptions): BedrockVisionModel {
  const client = new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttp2Handler({
      requestTimeout: options.requestTimeoutMs,
      nodeHttp2ConnectOptions: { createConnection: connectWithTimeout(options.connectionTimeoutMs) },
    }),
  });

  async function invokeModel(request: VisionRequest): Promise<VisionResult> {
    const output = await client.send(
      new InvokeModelCommand({
        modelId: request.modelId,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify(anthropicMessagesBody(request)),
      }),
      { abortSignal: request.signal },
    );
    const body = JSON.parse(new TextDecoder().decode(output.body)) as AnthropicResponse;
    const input = body.usage?.input_tokens ?? 0;
    const out = body.usage?.output_tokens ?? 0;
    return {
      text: (body.content ?? []).map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join(''),
      stopReason: body.stop_reason,
      usage: { inputTokens: input, outputTokens: out, totalTokens: input + out },
      // InvokeModel reports Bedrock's latency only in a response header the SDK does not surface.
      modelLatencyMs: undefined,
      requestId: output.$metadata.requestId,
    };
  }

  return {
    async describe(request) {
      try {
        if (request.api === 'INVOKE_MODEL') return await invokeModel(request);
        const output = await client.send(new ConverseCommand(converseInput(request)), {
          abortSignal: request.signal,
        });
        return fromConverse(output);
      } catch (error) {
        throw bedrockErrorToAppError(error, request.modelId);
      }
    },
    destroy() {
      client.destroy();
    },
  };
}
