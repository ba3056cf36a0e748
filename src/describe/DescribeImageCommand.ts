import type { BedrockApi } from '../bedrock/index.js';
import type { ImageSource, NormalizeMode } from '../images/index.js';

/** A describeImage request as the API received it; null and undefined both mean "not given". */
export interface DescribeImageCommand {
  readonly image?: ImageSource | null | undefined;
  readonly images?: readonly ImageSource[] | null | undefined;
  readonly prompt?: string | null | undefined;
  readonly modelId?: string | null | undefined;
  readonly api?: BedrockApi | null | undefined;
  readonly maxTokens?: number | null | undefined;
  readonly temperature?: number | null | undefined;
  readonly topP?: number | null | undefined;
  readonly system?: string | null | undefined;
  readonly stopSequences?: readonly string[] | null | undefined;
  readonly clientRequestId?: string | null | undefined;
  /** AUTO (default) orients, downscales and re-encodes where that saves tokens; NONE sends bytes as received. */
  readonly normalize?: NormalizeMode | null | undefined;
}

export const DEFAULT_PROMPT = 'What is in this image?';
export const DEFAULT_MAX_TOKENS = 1000;
