import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';
import { anthropicMessagesBody } from './anthropicMessagesBody.js';
import { anthropicStreamDecoder } from './anthropicStreamDecoder.js';
import { bedrockErrorToAppError } from './bedrockErrorToAppError.js';
import { connectWithTimeout } from './connectWithTimeout.js';
import { converseInput } from './converseInput.js';
import { converseStreamDecoder } from './converseStreamDecoder.js';
import { DEFAULT_MODEL_CATALOG, type ModelCatalog } from './modelCatalog.js';
import { parseAnthropicBody } from './parseAnthropicBody.js';
import { readModelStream } from './readModelStream.js';
import { releaseStreamTimers } from './releaseStreamTimers.js';
import { billingSafeRetryStrategy } from './billingSafeRetryStrategy.js';
import { converseUsageOf, headerUsageOf, recorded, streamUsageOf } from './recordAttempts.js';
import type { InferenceProvider, VisionModel, VisionRequest, VisionResult } from './VisionModel.js';
import { fromAnthropicUsage, fromConverseUsage } from './visionUsage.js';

export interface BedrockVisionModelOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly maxAttempts: number;
  /**
   * Retry an attempt that was sent and got no answer (timed out, reset). Off by default: Bedrock may
   * have run and billed it, so a retry may be billed twice (BEDROCK_RETRY_TIMEOUTS).
   */
  readonly retryTimeouts?: boolean;
  readonly connectionTimeoutMs: number;
  /** Socket idle timeout: between stream events too, so a stalled stream fails instead of hanging. */
  readonly requestTimeoutMs: number;
  /** Only for tests and the emulator; otherwise the SDK's default credential chain. */
  readonly credentials?: AwsCredentialIdentity;
  /** A Bedrock API key: sent as `Authorization: Bearer` instead of a SigV4 signature. */
  readonly bearerToken?: string | undefined;
  /**
   * How long the default chain waits for the EC2 instance-metadata service (per request, no
   * retries; the SDK's own default is 1 s for the token and 1 s again for the v1 fallback).
   * Off AWS nothing answers there, and on some networks the packets are dropped rather than
   * refused, so every credential lookup would wait out the timeout. Unset keeps the SDK's default.
   */
  readonly instanceMetadataTimeoutMs?: number | undefined;
  /** Who answers at `endpoint`: recorded on every row. */
  readonly provider: InferenceProvider;
  /** Whose current models a refusal suggests; default the built-in catalog. */
  readonly catalog?: ModelCatalog;
}

/** What the credential lookup found: an identity, or why there is none. */
export type CredentialLookup = { readonly found: true } | { readonly found: false; readonly reason: string };

export interface BedrockVisionModel extends VisionModel {
  /**
   * Resolves the credentials calls will be signed with (the SDK keeps them), or says why none
   * can be found. A Bedrock API key needs none.
   */
  findCredentials(): Promise<CredentialLookup>;
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

function anthropicRequest(request: VisionRequest) {
  return {
    modelId: request.modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify(anthropicMessagesBody(request)),
    // The X-Amzn-Bedrock-Service-Tier header; absent for DEFAULT, so the seed's request is unchanged.
    ...(request.serviceTier === undefined
      ? {}
      : { serviceTier: request.serviceTier === 'PRIORITY' ? ('priority' as const) : ('flex' as const) }),
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
    ...(options.bearerToken === undefined
      ? {}
      : { token: { token: options.bearerToken }, authSchemePreference: ['httpBearerAuth'] }),
    ...(options.instanceMetadataTimeoutMs === undefined
      ? {}
      : {
          // The client's own default chain (the same package and version it would load), with the probe bounded.
          credentialDefaultProvider: (init: Parameters<typeof defaultProvider>[0]) =>
            defaultProvider({ ...init, timeout: options.instanceMetadataTimeoutMs, maxRetries: 0 }),
        }),
    maxAttempts: options.maxAttempts,
    retryStrategy: billingSafeRetryStrategy(options.maxAttempts, options.retryTimeouts ?? false),
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
    const command = recorded(new InvokeModelCommand(anthropicRequest(request)), request.attempts, headerUsageOf);
    const output = await client.send(command, { abortSignal: request.signal });
    const body = parseAnthropicBody(output.body, request.attempts);
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
    provider: options.provider,
    async findCredentials() {
      if (options.bearerToken !== undefined) return { found: true };
      try {
        await client.config.credentials();
        return { found: true };
      } catch (error) {
        return { found: false, reason: (error as Error).message };
      }
    },
    async describe(request) {
      try {
        if (request.api === 'INVOKE_MODEL') return await invokeModel(request);
        const command = recorded(new ConverseCommand(converseInput(request)), request.attempts, converseUsageOf);
        const output = await client.send(command, { abortSignal: request.signal });
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
            const command = releaseStreamTimers(
              recorded(
                new InvokeModelWithResponseStreamCommand(anthropicRequest(request)),
                request.attempts,
                streamUsageOf,
              ),
            );
            const output = await client.send(command, sendOptions(abortSignal));
            return { events: output.body, requestId: output.$metadata.requestId };
          },
        });
      }
      return readModelStream({
        ...common,
        decoder: converseStreamDecoder(),
        async open(abortSignal) {
          const command = releaseStreamTimers(
            recorded(new ConverseStreamCommand(converseInput(request)), request.attempts, streamUsageOf),
          );
          const output = await client.send(command, sendOptions(abortSignal));
          return { events: output.stream, requestId: output.$metadata.requestId };
        },
      });
    },
    destroy() {
      client.destroy();
    },
  };
}
