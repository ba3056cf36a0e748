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
}
