import sharp from 'sharp';
import type { Metadata } from 'sharp';

/** The formats Bedrock's vision models accept. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

/** Bedrock's per-image limits: 3.75 MB and 8000 px a side. Enforced so the client's own checks can be tested. */
export const MAX_IMAGE_BYTES = 3.75 * 1024 * 1024;
export const MAX_IMAGE_EDGE = 8000;

/** What an image's header says, read without decoding a pixel. */
export interface ImageHeader {
  format: ImageFormat;
  /** As displayed, i.e. after EXIF orientation, which is what a model sees and what its tokens are counted on. */
  width: number;
  height: number;
  /** Bands of the stored pixels, alpha included: the colour statistics need to know which ones are colour. */
  channels: number;
  hasAlpha: boolean;
}

/** Why some bytes are not an image Bedrock would take; worded as Bedrock words it, after the image's label. */
export interface ImageRefusal {
  refusal: string;
}

const formats: readonly string[] = ['jpeg', 'png', 'gif', 'webp'];

/**
 * Reads format, size and EXIF orientation from the header alone (sharp's `metadata()` does not decode pixel data),
 * refusing what Bedrock refuses before it looks at pixels: empty or oversized bytes, a header that does not parse, a
 * format it does not take. The answer depends on the bytes only, so it can be shared by every call that sends them.
 */
export async function readImageHeader(bytes: Buffer): Promise<ImageHeader | ImageRefusal> {
  if (bytes.length === 0) return { refusal: 'Could not process image: the image is empty.' };
  if (bytes.length > MAX_IMAGE_BYTES) {
    return { refusal: `image exceeds 3.75 MB maximum: ${bytes.length} bytes > ${MAX_IMAGE_BYTES} bytes` };
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_EDGE * MAX_IMAGE_EDGE }).metadata();
  } catch {
    return { refusal: 'Could not process image' };
  }
  const format: string = meta.format;
  if (!formats.includes(format)) return { refusal: 'Could not process image: unsupported format.' };
  const { width, height } = meta.autoOrient;
  return { format: format as ImageFormat, width, height, channels: meta.channels, hasAlpha: meta.hasAlpha };
}
