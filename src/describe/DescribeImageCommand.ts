import type { InferenceSettings } from '../bedrock/index.js';
import type { ImageSource, NormalizeMode } from '../images/index.js';

/**
 * A describeImage request as the API received it, normalised at the edge: a setting not
 * given (or given as null) is absent, and takes its default in validateDescribeParameters.
 */
export interface DescribeImageCommand extends Partial<InferenceSettings> {
  readonly image?: ImageSource;
  readonly images?: readonly ImageSource[];
  readonly clientRequestId?: string;
  /** AUTO (default) orients, downscales and re-encodes where that saves tokens; NONE sends bytes as received. */
  readonly normalize?: NormalizeMode;
}

export const DEFAULT_PROMPT = 'What is in this image?';
export const DEFAULT_MAX_TOKENS = 1000;
