import { IMAGE_LIMITS } from '../imageLimits.js';

/** What an image may be, checked from its header before any pixel is decoded. */
export interface NormalizeLimits {
  /** Bytes per image as sent to Bedrock (3.75 MiB); the input may be larger when it is downscaled. */
  readonly maxBytes: number;
  /** Longest side Bedrock takes, in pixels (8000). */
  readonly maxSide: number;
  /** Decode budget: width × height of one frame, so a decompression bomb never reaches the decoder. */
  readonly maxPixels: number;
  /** Frames of an animated GIF or WebP; each frame is a full image to the decoder. */
  readonly maxFrames: number;
  /**
   * Long edge an image is downscaled to in mode AUTO (1568 px). Claude models resize anything larger
   * themselves, so sending more pixels only costs bytes and latency, not detail.
   */
  readonly targetLongEdge: number;
  /** Metadata segments or chunks (EXIF, ICC, XMP, comments, PNG text): parsing each one costs time before any check. */
  readonly maxMetadataSegments: number;
  /** Metadata bytes in all, compressed PNG chunks counted inflated. */
  readonly maxMetadataBytes: number;
}

export const DEFAULT_NORMALIZE_LIMITS: NormalizeLimits = Object.freeze({
  maxBytes: IMAGE_LIMITS.maxBytes,
  maxSide: IMAGE_LIMITS.maxSide,
  maxPixels: IMAGE_LIMITS.maxPixels,
  maxFrames: 100,
  targetLongEdge: 1568,
  // A camera JPEG carries 3 to 6 (JFIF, EXIF, XMP, ICC, MPF); Photoshop's XMP history can reach 1 MB.
  maxMetadataSegments: 64,
  maxMetadataBytes: 2 * 1024 * 1024,
});
