import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ImageFormat } from '../bedrock/index.js';
import { badInput } from '../errors.js';
import { decodeBase64Image } from './decodeBase64Image.js';
import { IMAGE_LIMITS } from './imageLimits.js';
import { sniffImageFormat } from './sniffImageFormat.js';

/** One image as a client may send it. Exactly one source is set; more sources come later. */
export interface ImageSource {
  readonly base64?: string | null | undefined;
}

/** An image that passed every check, ready to send and to record. */
export interface AcceptedImage {
  readonly format: ImageFormat;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly byteSize: number;
  readonly width: number;
  readonly height: number;
}

async function intakeOne(source: ImageSource, index: number): Promise<AcceptedImage> {
  const sources = Object.values(source).filter((v) => v !== undefined && v !== null);
  if (sources.length !== 1 || typeof source.base64 !== 'string') {
    throw badInput('IMAGE_SOURCE_INVALID', `Image ${index + 1} must have exactly one source (base64)`);
  }
  const bytes = decodeBase64Image(source.base64);
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw badInput('IMAGE_UNSUPPORTED', `Image ${index + 1} is not a JPEG, PNG, GIF or WebP image`);
  }
  if (bytes.length > IMAGE_LIMITS.maxBytes) {
    throw badInput(
      'IMAGE_TOO_LARGE',
      `Image ${index + 1} is ${bytes.length} bytes; Bedrock takes at most ${IMAGE_LIMITS.maxBytes}`,
    );
  }
  // metadata() reads the header only: dimensions are known before any pixel is decoded.
  let width: number | undefined;
  let height: number | undefined;
  try {
    const meta = await sharp(bytes, { limitInputPixels: IMAGE_LIMITS.maxPixels }).metadata();
    width = meta.width;
    height = meta.height;
  } catch (error) {
    throw badInput('IMAGE_INVALID', `Image ${index + 1} is corrupt or truncated`, error);
  }
  if (!width || !height) throw badInput('IMAGE_INVALID', `Image ${index + 1} has no readable dimensions`);
  if (width > IMAGE_LIMITS.maxSide || height > IMAGE_LIMITS.maxSide) {
    throw badInput(
      'IMAGE_DIMENSIONS',
      `Image ${index + 1} is ${width}×${height}; Bedrock takes at most ${IMAGE_LIMITS.maxSide} px per side`,
    );
  }
  return {
    format,
    mediaType: `image/${format}`,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    byteSize: bytes.length,
    width,
    height,
  };
}

/**
 * Turns the request's image inputs into checked images, in order, or refuses the
 * whole request with BAD_USER_INPUT. Nothing has been spent or stored at this point.
 */
export async function intakeImages(sources: readonly ImageSource[]): Promise<AcceptedImage[]> {
  if (sources.length === 0) throw badInput('IMAGE_REQUIRED', 'Give an image (image or images)');
  if (sources.length > IMAGE_LIMITS.maxImages) {
    throw badInput(
      'TOO_MANY_IMAGES',
      `${sources.length} images; Bedrock takes at most ${IMAGE_LIMITS.maxImages} per request`,
    );
  }
  const accepted: AcceptedImage[] = [];
  // One at a time: bounded memory however many images arrive.
  for (const [index, source] of sources.entries()) accepted.push(await intakeOne(source, index));
  return accepted;
}
