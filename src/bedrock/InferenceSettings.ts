import type { OptionalServiceTier } from './ServiceTier.js';
import type { BedrockApi } from './VisionModel.js';

/**
 * What a request asks the model, apart from its images: the one shape every layer carries
 * whole, from the GraphQL edge (where nulls become absent and defaults are applied) through
 * the request hash, the write-ahead row and the model call to the record read back.
 * Optional settings are absent, never null, so the seed's request produces the seed's body.
 */
export interface InferenceSettings {
  readonly modelId: string;
  readonly api: BedrockApi;
  readonly prompt: string;
  readonly system?: string | undefined;
  readonly maxTokens: number;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  /** Sent only when non-empty. */
  readonly stopSequences: readonly string[];
  /** PRIORITY or FLEX; absent is Bedrock's Standard tier (DEFAULT), and nothing is sent for it. */
  readonly serviceTier?: OptionalServiceTier | undefined;
  /**
   * The caller's `key=value` tags, checked and sorted by key (see describe/checkTags); absent when
   * none. Converse sends them as `requestMetadata`, so Bedrock's invocation logs carry them too.
   */
  readonly tags?: readonly string[] | undefined;
}
