/** Image formats Bedrock accepts for vision, as detected from the bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

export type BedrockApi = 'CONVERSE' | 'INVOKE_MODEL';

export interface VisionImage {
  readonly format: ImageFormat;
  readonly bytes: Uint8Array;
}

export interface VisionRequest {
  readonly modelId: string;
  readonly api: BedrockApi;
  /** In the order the model sees them, before the prompt (as in the seed). */
  readonly images: readonly VisionImage[];
  readonly prompt: string;
  readonly system?: string | undefined;
  readonly maxTokens: number;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

export interface VisionResult {
  readonly text: string;
  readonly stopReason: string | undefined;
  readonly usage: TokenUsage;
  /** Bedrock's own latency figure (Converse `metrics.latencyMs`); undefined for InvokeModel. */
  readonly modelLatencyMs: number | undefined;
  readonly requestId: string | undefined;
}

/**
 * What the describe use case needs from a vision model. The Bedrock adapter is the
 * real one; the interface keeps the use case free of the AWS SDK.
 * Implementations throw `AppError` with an UPSTREAM_* code on failure.
 */
export interface VisionModel {
  describe(request: VisionRequest): Promise<VisionResult>;
}
