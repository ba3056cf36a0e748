import type { InferenceSettings, ServiceTier } from '../bedrock/index.js';
import type { ImageSource, NormalizeMode } from '../images/index.js';

/**
 * A describeImage request as the API received it, normalised at the edge: a setting not
 * given (or given as null) is absent, and takes its default in validateDescribeParameters.
 */
export interface DescribeImageCommand extends Partial<Omit<InferenceSettings, 'serviceTier'>> {
  /** As asked; DEFAULT becomes an absent InferenceSettings.serviceTier. */
  readonly serviceTier?: ServiceTier;
  readonly image?: ImageSource;
  readonly images?: readonly ImageSource[];
  readonly clientRequestId?: string;
  /** Use the exact-request cache (absent: CACHE_DEFAULT). */
  readonly cache?: boolean;
  /** The API key making the request (OPEN_MODE_KEY_ID in open mode): owns the row, scopes clientRequestId, pays. */
  readonly apiKeyId: string;
  /** AUTO (default) orients, downscales and re-encodes where that saves tokens; NONE sends bytes as received. */
  readonly normalize?: NormalizeMode;
}

export const DEFAULT_PROMPT = 'What is in this image?';
export const DEFAULT_MAX_TOKENS = 1000;
