import sharp, { type Metadata } from 'sharp';
import type { ImageFormat } from '../../bedrock/index.js';
import { badInput } from '../../errors.js';
import { sniffImageFormat } from '../sniffImageFormat.js';
import { checkMetadata } from './checkMetadata.js';
import { findImageEnd } from './findImageEnd.js';
import { FORMAT_NAMES } from './formatNames.js';
import type { NormalizeLimits } from './normalizeLimits.js';

/** What the header says about an image that passed every check that needs no pixels. */
export interface ImageHeader {
  readonly format: ImageFormat;
  /** Upright: EXIF orientation applied, as a viewer shows it. */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation, 1 (upright) when absent. */
  readonly orientation: number;
  /** 1 for a still image. */
  readonly frames: number;
  readonly isPalette: boolean;
  /**
   * Bytes after the end of the image that are not zero padding. Only a JPEG gets this far with any: see
   * `inspectImage`.
   */
  readonly appendedBytes: number;
}

/**
 * Identifies an image and enforces the limits that need no decoding, in order of cost: magic bytes, the
 * container's own end, then the header (`metadata()` reads headers only, so a 30000×30000 PNG bomb is
 * refused in milliseconds without allocating its pixels).
 *
 * Data after the end of the image is refused as IMAGE_INVALID (the bytes claim a format but are not a
 * well-formed file of it) for PNG, GIF and WebP, where no standard puts anything there: it is either a
 * cut-and-paste accident or a polyglot. A JPEG is let through with `appendedBytes` set, because standards
 * do put data there (Multi-Picture Format, Ultra HDR gain maps, motion-photo videos) and the caller decides.
 * Zero padding after the end is ignored everywhere.
 */
export async function inspectImage(bytes: Buffer, limits: NormalizeLimits): Promise<ImageHeader> {
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw badInput('IMAGE_UNSUPPORTED', 'The image is not a JPEG, PNG, GIF or WebP image');
  }
  const name = FORMAT_NAMES[format];
  const end = findImageEnd(bytes, format);
  if (end === undefined) throw badInput('IMAGE_INVALID', `The ${name} image is truncated or corrupt`);
  const appendedBytes = countAppendedBytes(bytes, end);
  if (appendedBytes > 0 && format !== 'jpeg') {
    throw badInput(
      'IMAGE_INVALID',
      `The ${name} image has ${appendedBytes} bytes of other data after its end; send the image file alone`,
    );
  }

  checkMetadata(bytes, format, limits);

  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (error) {
    throw badInput('IMAGE_INVALID', `The ${name} image has a corrupt header`, error);
  }
  // The decoder, not only the magic bytes, must agree on the format: what we check is what Bedrock decodes.
  if (meta.format !== format) {
    throw badInput('IMAGE_UNSUPPORTED', `The image starts like a ${name} image but is not one`);
  }
  const { width, height } = meta;
  if (!(width > 0 && height > 0)) throw badInput('IMAGE_INVALID', `The ${name} image has no dimensions`);
  if (width > limits.maxSide || height > limits.maxSide) {
    throw badInput(
      'IMAGE_DIMENSIONS',
      `The image is ${width}×${height} px; at most ${limits.maxSide} px per side is accepted`,
    );
  }
  if (width * height > limits.maxPixels) {
    throw badInput(
      'IMAGE_DIMENSIONS',
      `The image is ${width}×${height} px (${width * height} pixels); at most ${limits.maxPixels} pixels are accepted`,
    );
  }
  const frames = meta.pages ?? 1;
  if (frames > limits.maxFrames) {
    throw badInput(
      'IMAGE_DIMENSIONS',
      `The animated image has ${frames} frames; at most ${limits.maxFrames} frames are accepted`,
    );
  }
  return {
    format,
    width: meta.autoOrient.width,
    height: meta.autoOrient.height,
    orientation: meta.orientation ?? 1,
    frames,
    isPalette: meta.isPalette,
    appendedBytes,
  };
}

function countAppendedBytes(bytes: Buffer, end: number): number {
  for (let i = end; i < bytes.length; i += 1) {
    if (bytes[i] !== 0) return bytes.length - end;
  }
  return 0;
}
