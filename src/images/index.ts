/**
 * Image intake: every image is decoded, identified from its bytes and checked against
 * Bedrock's limits before anything is spent or stored.
 */
export { intakeImages } from './intakeImages.js';
export type { AcceptedImage, ImageSource } from './intakeImages.js';
export { sniffImageFormat } from './sniffImageFormat.js';
export { decodeBase64Image } from './decodeBase64Image.js';
export { IMAGE_LIMITS } from './imageLimits.js';
