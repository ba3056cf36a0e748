/**
 * Bedrock's own limits for images in a vision request. Checking them here refuses a
 * request before it costs a network round trip and a model error.
 */
export const IMAGE_LIMITS = Object.freeze({
  /** 3.75 MB per image as sent. */
  maxBytes: 3.75 * 1024 * 1024,
  /** Longest side in pixels. */
  maxSide: 8000,
  maxImages: 20,
  /** Pixel budget for decoding: 8000×8000, so a decompression bomb never reaches the decoder. */
  maxPixels: 8000 * 8000,
});
