import { createHash } from 'node:crypto';
import type { AcceptedImage } from '../images/index.js';
import type { DescribeParameters } from './validateDescribeParameters.js';

/**
 * Fingerprint of what a request asks the model, so a retried clientRequestId can be
 * told apart from a different request that reuses the key by mistake.
 */
export function requestHash(parameters: DescribeParameters, images: readonly AcceptedImage[]): string {
  const canonical = JSON.stringify([
    parameters.modelId,
    parameters.api,
    parameters.prompt,
    parameters.system ?? null,
    parameters.maxTokens,
    parameters.temperature ?? null,
    parameters.topP ?? null,
    parameters.stopSequences,
    images.map((image) => image.sha256),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
