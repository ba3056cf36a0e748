/**
 * Normalisation of one image: identify it from its bytes, enforce the limits before decoding any pixel,
 * and make it what Bedrock should receive (upright, ≤ 1568 px long edge, ≤ 3.75 MiB).
 */
export { normalizeImage } from './normalizeImage.js';
export type { ImageChange, NormalizedImage, NormalizeMode } from './normalizeImage.js';
export { DEFAULT_NORMALIZE_LIMITS } from './normalizeLimits.js';
export type { NormalizeLimits } from './normalizeLimits.js';
export type { ImageFormat } from '../../bedrock/index.js';
