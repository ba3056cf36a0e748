import sharp from 'sharp';
import type { Metadata, Stats } from 'sharp';

import { validationError } from './bedrockError.js';
import type { Rgb } from './colourName.js';

/** The formats Bedrock's vision models accept. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

/** What the emulator knows about an image, all computed from its pixels. */
export interface ImageFacts {
  format: ImageFormat;
  /** As displayed, i.e. after EXIF orientation, which is what a model sees. */
  width: number;
  height: number;
  /** The exact colour when the image is one flat colour, else sharp's dominant colour (a 16-level histogram bin). */
  colour: Rgb;
  solid: boolean;
}

/** Bedrock's per-image limits: 3.75 MB and 8000 px a side. Enforced so the client's own checks can be tested. */
export const MAX_IMAGE_BYTES = 3.75 * 1024 * 1024;
export const MAX_IMAGE_EDGE = 8000;

const formats: readonly string[] = ['jpeg', 'png', 'gif', 'webp'];

/**
 * Decodes an image and checks it the way Bedrock does. `declared` is the format the request claims; a mismatch is
 * refused like Anthropic refuses it, because a client that mislabels images has a bug worth surfacing early.
 * `label` names the image in messages (e.g. "messages.0.content.0.image").
 */
export async function inspectImage(bytes: Buffer, declared: ImageFormat, label: string): Promise<ImageFacts> {
  if (bytes.length === 0) throw validationError(`${label}: Could not process image: the image is empty.`);
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw validationError(`${label}: image exceeds 3.75 MB maximum: ${bytes.length} bytes > ${MAX_IMAGE_BYTES} bytes`);
  }
  const image = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_EDGE * MAX_IMAGE_EDGE });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch {
    throw validationError(`${label}: Could not process image`);
  }
  const format: string = meta.format;
  if (!formats.includes(format)) throw validationError(`${label}: Could not process image: unsupported format.`);
  if (format !== declared) {
    throw validationError(`${label}: Image does not match the provided media type image/${declared}`);
  }
  const { width, height } = meta.autoOrient;
  if (width > MAX_IMAGE_EDGE || height > MAX_IMAGE_EDGE) {
    throw validationError(`${label}: image dimensions exceed max allowed size: ${MAX_IMAGE_EDGE} pixels`);
  }
  let stats: Stats;
  try {
    stats = await image.stats();
  } catch {
    // Headers can parse while the pixel data is truncated or corrupt; Bedrock refuses such images too.
    throw validationError(`${label}: Could not process image`);
  }
  // Alpha is not a colour: a grey PNG with alpha has two channels, of which only the first is the colour.
  const colourChannelCount = Math.max(1, meta.channels - (meta.hasAlpha ? 1 : 0));
  const means = stats.channels.slice(0, colourChannelCount).map((c) => Math.round(c.mean));
  const solid = stats.channels.slice(0, colourChannelCount).every((c) => c.stdev < 0.5);
  const colour = solid ? { r: means[0], g: means[1] ?? means[0], b: means[2] ?? means[0] } : stats.dominant;
  return { format: format as ImageFormat, width, height, colour, solid };
}
