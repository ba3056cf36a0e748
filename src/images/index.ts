/**
 * Image intake: every image is read from its source (base64, https URL, upload),
 * identified from its bytes, checked against Bedrock's limits before any pixel is
 * decoded, and normalised to what the model should receive — before anything is spent
 * or stored.
 */
export { intakeImages } from './intakeImages.js';
export type { AcceptedImage, ImageSource, ImageSourceKind, IntakeOptions } from './intakeImages.js';
export type { UploadedFile } from './readUpload.js';
export { createFileImageStore, NO_IMAGE_STORE } from './createFileImageStore.js';
export type { ImageStore } from './createFileImageStore.js';
export { sniffImageFormat } from './sniffImageFormat.js';
export { decodeBase64Image } from './decodeBase64Image.js';
export { IMAGE_LIMITS } from './imageLimits.js';
export { DEFAULT_URL_FETCH_POLICY } from './url/index.js';
export type { UrlFetchPolicy } from './url/index.js';
export type { NormalizeMode } from './normalize/index.js';
export { estimateImageTokens } from './estimateImageTokens.js';
