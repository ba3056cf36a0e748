import { estimateImageTokens } from '../estimateImageTokens.js';
import type { ImageFormat } from '../../bedrock/index.js';
import { badInput } from '../../errors.js';
import { FORMAT_NAMES } from './formatNames.js';
import { inspectImage } from './inspectImage.js';
import { DEFAULT_NORMALIZE_LIMITS, type NormalizeLimits } from './normalizeLimits.js';
import { renderImage } from './renderImage.js';

/** AUTO: orient, downscale and re-encode when needed. NONE: send the bytes as received, or refuse them. */
export type NormalizeMode = 'AUTO' | 'NONE';

/**
 * ROTATED and DOWNSCALED say why the pixels differ; REENCODED is present whenever the bytes are a new
 * encoding, so on its own it means the same pixels made smaller or stripped of data after the image's end.
 */
export type ImageChange = 'ROTATED' | 'DOWNSCALED' | 'REENCODED';

/** The image as it will be sent to the model, and what it was. */
export interface NormalizedImage {
  format: ImageFormat;
  mediaType: string;
  bytes: Buffer;
  /** Upright, as a viewer shows it (EXIF orientation applied), also when the bytes are passed through. */
  width: number;
  height: number;
  byteSize: number;
  original: { format: ImageFormat; width: number; height: number; byteSize: number };
  /** What changed: [] when sent byte-for-byte. */
  changes: ImageChange[];
  /** ceil(width × height / 750) of what is sent: Anthropic's estimate of an image's input tokens. */
  estimatedTokens: number;
}

/**
 * Checks one image against `limits` before decoding any pixel and, in mode AUTO, makes it what Bedrock
 * should receive: upright, no longer than `targetLongEdge`, at most `maxBytes`. Refusals are BAD_USER_INPUT
 * with reason IMAGE_UNSUPPORTED, IMAGE_INVALID, IMAGE_DIMENSIONS or IMAGE_TOO_LARGE; messages never contain
 * image bytes.
 *
 * An image that needs nothing is sent as received, byte for byte: cheapest, and lossless. The trade-off is
 * that its metadata (EXIF, GPS position included) goes to Bedrock as the client sent it, while a changed
 * image carries none.
 *
 * Animated GIF and WebP are checked (frames, size, sides) and always passed through: downscaling them
 * would mean re-encoding every frame, and a too-large one is refused rather than flattened to a still.
 */
export async function normalizeImage(
  bytes: Buffer,
  mode: NormalizeMode,
  limits: NormalizeLimits = DEFAULT_NORMALIZE_LIMITS,
): Promise<NormalizedImage> {
  const header = await inspectImage(bytes, limits);
  const original = { format: header.format, width: header.width, height: header.height, byteSize: bytes.length };
  /** The bytes as received, when nothing forbids it; `advice` ends a too-large refusal. */
  const asReceived = (advice: string) => {
    if (header.appendedBytes > 0) {
      throw badInput(
        'IMAGE_INVALID',
        `The ${FORMAT_NAMES[header.format]} image has ${header.appendedBytes} bytes of other data after its end ` +
          '(an HDR gain map, a motion-photo video or another file); send it with normalisation on to drop them',
      );
    }
    if (bytes.length > limits.maxBytes) {
      throw badInput(
        'IMAGE_TOO_LARGE',
        `The image is ${bytes.length} bytes; at most ${limits.maxBytes} bytes are accepted${advice}`,
      );
    }
    return sent(header.format, bytes, header.width, header.height, original, []);
  };

  if (mode === 'NONE') return asReceived(' without normalisation');
  if (header.frames > 1) return asReceived(' for an animated image, which is sent as it is');

  const rotate = header.orientation > 1;
  const downscale = Math.max(header.width, header.height) > limits.targetLongEdge;
  const reencode = header.appendedBytes > 0 || bytes.length > limits.maxBytes;
  if (!rotate && !downscale && !reencode) return asReceived('');
  if (!rotate && !downscale && (header.format === 'png' || header.format === 'gif')) {
    // Lossless and already small enough in pixels: re-encoding would not shrink it, so skip the decode.
    return asReceived('; try sending it as a JPEG');
  }

  const rendered = await renderImage(bytes, {
    format: header.format,
    rotate,
    longEdge: limits.targetLongEdge,
    palette: header.isPalette,
    maxBytes: limits.maxBytes,
    maxPixels: limits.maxPixels,
  });
  const changes: ImageChange[] = [];
  if (rotate) changes.push('ROTATED');
  if (downscale) changes.push('DOWNSCALED');
  changes.push('REENCODED');
  return sent(header.format, rendered.bytes, rendered.width, rendered.height, original, changes);
}

function sent(
  format: ImageFormat,
  bytes: Buffer,
  width: number,
  height: number,
  original: NormalizedImage['original'],
  changes: ImageChange[],
): NormalizedImage {
  return {
    format,
    mediaType: `image/${format}`,
    bytes,
    width,
    height,
    byteSize: bytes.length,
    original,
    changes,
    estimatedTokens: estimateImageTokens(width, height),
  };
}
