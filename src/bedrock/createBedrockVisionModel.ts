import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';
import { anthropicMessagesBody } from './anthropicMessagesBody.js';
import { anthropicStreamDecoder } from './anthropicStreamDecoder.js';
import { bedrockErrorToAppError } from './bedrockErrorToAppError.js';
import { connectWithTimeout } from './connectWithTimeout.js';
import { converseInput } from './converseInput.js';
import { converseStreamDecoder } from './converseStreamDecoder.js';
import { DEFAULT_MODEL_CATALOG, type ModelCatalog } from './modelCatalog.js';
import { readModelStream } from './readModelStream.js';
import type { VisionModel, VisionRequest, VisionResult } from './VisionModel.js';
import { fromAnthropicUsage, fromConverseUsage, type AnthropicUsage } from './visionUsage.js';

export interface BedrockVisionModelOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  /** Socket idle timeout: between stream events too, so a stalled stream fails instead of hanging. */
  readonly requestTimeoutMs: number;
  /** Only for tests and the emulator; otherwise the SDK's default credential chain. */
  readonly credentials?: AwsCredentialIdentity;
  /** Whose current models a refusal suggests; default the built-in catalog. */
  readonly catalog?: ModelCatalog;
}

export interface BedrockVisionModel extends VisionModel {
  /** Closes pooled HTTP/2 sessions so the process can exit. */
  destroy(): void;
}

/** How much longer than a stream's idle timeout the socket's own timeout is, so the former always fires first. */
const STREAM_SOCKET_TIMEOUT_MARGIN_MS = 1000;

function fromConverse(output: ConverseCommandOutput): VisionResult {
  return {
    text: (output.output?.message?.content ?? []).map((block) => block.text ?? '').join(''),
    stopReason: output.stopReason,
    usage: fromConverseUsage(output.usage),
    modelLatencyMs: output.metrics?.latencyMs,
    requestId: output.$metadata.requestId,
  };
}

interface AnthropicResponse {
  content?: { type: string; text?: string }[];
  stop_reason?: string;
  usage?: AnthropicUsage;
}

function anthropicRequest(request: VisionRequest) {
  return {
    modelId: request.modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify(anthropicMessagesBody(request)),
  };
}

/**
 * The real VisionModel: Converse for any model, InvokeModel with the seed's Anthropic
 * body, each plain or streamed. Standard retry mode retries throttling and 5xx with
 * backoff (a stream only until its first event); timeouts are explicit so a stuck
 * connection becomes UPSTREAM_TIMEOUT instead of a hung request.
 */
export function createBedrockVisionModel(options: BedrockVisionModelOptions): BedrockVisionModel {
  const catalog = options.catalog ?? DEFAULT_MODEL_CATALOG;
  const client = new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttp2Handler({
      requestTimeout: options.requestTimeoutMs,
      nodeHttp2ConnectOptions: {
        createConnection: connectWithTimeout(options.connectionTimeoutMs),
        // Every call shares one session, and request bodies wait in its memory until Bedrock's
        // flow-control window lets them out. At Node's default (10 MB) a burst of a few hundred
        // calls made the client reset its own streams with ENHANCE_YOUR_CALM; what the session may
        // hold is bounded upstream by admission control (MAX_BUFFERED_BODY_BYTES).
        maxSessionMemory: 256,
      },
    }),
  });

  async function invokeModel(request: VisionRequest): Promise<VisionResult> {
    const output = await client.send(new InvokeModelCommand(anthropicRequest(request)), {
      abortSignal: request.signal,
    });
    const body = JSON.parse(new TextDecoder().decode(output.body)) as AnthropicResponse;
    return {
      text: (body.content ?? []).map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join(''),
      stopReason: body.stop_reason,
      usage: fromAnthropicUsage(body.usage),
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
        throw bedrockErrorToAppError(error, request.modelId, catalog);
      }
    },
    describeStream(request) {
      const common = { request, catalog, idleTimeoutMs: options.requestTimeoutMs };
      // The stream's own idle timeout must fire before the socket's (see readModelStream).
      const sendOptions = (abortSignal: AbortSignal) => ({
        abortSignal,
        requestTimeout: options.requestTimeoutMs + STREAM_SOCKET_TIMEOUT_MARGIN_MS,
      });
      if (request.api === 'INVOKE_MODEL') {
        return readModelStream({
          ...common,
          decoder: anthropicStreamDecoder(),
          async open(abortSignal) {
            const command = new InvokeModelWithResponseStreamCommand(anthropicRequest(request));
            const output = await client.send(command, sendOptions(abortSignal));
            return { events: output.body, requestId: output.$metadata.requestId };
          },
        });
      }
      return readModelStream({
        ...common,
        decoder: converseStreamDecoder(),
        async open(abortSignal) {
          const output = await client.send(new ConverseStreamCommand(converseInput(request)), sendOptions(abortSignal));
          return { events: output.stream, requestId: output.$metadata.requestId };
        },
      });
    },
    destroy() {
      client.destroy();
    },
  };
}
