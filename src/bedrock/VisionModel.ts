import type { InferenceSettings } from './InferenceSettings.js';
import type { AttemptLog } from './ModelAttempt.js';

/** Image formats Bedrock accepts for vision, as detected from the bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

export type BedrockApi = 'CONVERSE' | 'INVOKE_MODEL';

/** Who answers a model's calls: Amazon Bedrock, or the built-in emulator (no AWS account needed). */
export type InferenceProvider = 'BEDROCK' | 'EMULATOR';

export interface VisionImage {
  readonly format: ImageFormat;
  readonly bytes: Uint8Array;
}

/** A model call: the request's settings, carried whole, and its images. */
export interface VisionRequest extends InferenceSettings {
  /** In the order the model sees them, before the prompt (as in the seed). */
  readonly images: readonly VisionImage[];
  /** Aborting it cancels the call (and the HTTP/2 stream) and fails it with CANCELLED. */
  readonly signal?: AbortSignal | undefined;
  /** Receives every HTTP attempt of the call, billed or not (see ModelAttempt). */
  readonly attempts?: AttemptLog | undefined;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

/**
 * Usage with the prompt-cache counts Bedrock reports apart from `inputTokens` for models
 * that cache; `totalTokens` includes them, as Converse's own total does.
 */
export interface VisionUsage extends TokenUsage {
  readonly cacheReadInputTokens?: number | undefined;
  readonly cacheWriteInputTokens?: number | undefined;
}

export interface VisionResult {
  readonly text: string;
  readonly stopReason: string | undefined;
  readonly usage: VisionUsage;
  /**
   * Bedrock's own latency figure: Converse `metrics.latencyMs`, or the invocation latency
   * of a streamed InvokeModel; undefined for a plain InvokeModel.
   */
  readonly modelLatencyMs: number | undefined;
  readonly requestId: string | undefined;
}

/**
 * What the describe use case needs from a vision model. The Bedrock adapter is the
 * real one; the interface keeps the use case free of the AWS SDK.
 * Implementations throw `AppError` with an UPSTREAM_* code on failure.
 */
/** The answer as it is generated: text deltas in order, then exactly one `done`. */
export type VisionStreamEvent =
  { readonly type: 'delta'; readonly text: string } | { readonly type: 'done'; readonly result: VisionResult };

export interface VisionModel {
  /** Recorded on every ledger row, so emulated answers are never mistaken for Bedrock's. */
  readonly provider: InferenceProvider;
  describe(request: VisionRequest): Promise<VisionResult>;
  /**
   * Streams the answer. Errors before or during the stream are thrown from the iterator;
   * stopping the iteration early (break, return) cancels the HTTP/2 stream.
   */
  describeStream(request: VisionRequest): AsyncIterable<VisionStreamEvent>;
}
