import { createHash } from 'node:crypto';
import type { AcceptedImage } from '../images/index.js';
import type { InferenceSettings } from '../bedrock/index.js';

/**
 * Fingerprint of what a request asks the model, so a retried clientRequestId can be
 * told apart from a different request that reuses the key by mistake.
 */
export function requestHash(settings: InferenceSettings, images: readonly AcceptedImage[]): string {
  // The order and the nulls are the ledger's: rows written by earlier releases must still match.
  const canonical = JSON.stringify([
    settings.modelId,
    settings.api,
    settings.prompt,
    settings.system ?? null,
    settings.maxTokens,
    settings.temperature ?? null,
    settings.topP ?? null,
    settings.stopSequences,
    images.map((image) => image.sha256),
    // Appended only when set, so a request without a tier or tags hashes as it always has.
    ...(settings.serviceTier === undefined ? [] : [settings.serviceTier]),
    ...(settings.tags === undefined ? [] : [settings.tags]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
