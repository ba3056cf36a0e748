import sharp from 'sharp';
import type { Stats } from 'sharp';

import type { Rgb } from './colourName.js';
import { MAX_IMAGE_EDGE } from './readImageHeader.js';
import type { ImageHeader, ImageRefusal } from './readImageHeader.js';

/** An image's colour as the emulator names it. */
export interface ImageColour {
  /** The exact colour when the image is one flat colour, else sharp's dominant colour (a 16-level histogram bin). */
  colour: Rgb;
  solid: boolean;
}

/**
 * Decodes every pixel for the colour statistics: the one fact that needs them, and by far the dearest (about 10 ms
 * of CPU for sharp's `stats()`, even on a thumbnail). Pixel data can be truncated or corrupt behind a header that
 * parses; Bedrock refuses such images too.
 */
export async function readImageColour(bytes: Buffer, header: ImageHeader): Promise<ImageColour | ImageRefusal> {
  let stats: Stats;
  try {
    stats = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_EDGE * MAX_IMAGE_EDGE }).stats();
  } catch {
    return { refusal: 'Could not process image' };
  }
  // Alpha is not a colour: a grey PNG with alpha has two channels, of which only the first is the colour.
  const colourChannelCount = Math.max(1, header.channels - (header.hasAlpha ? 1 : 0));
  const channels = stats.channels.slice(0, colourChannelCount);
  const means = channels.map((c) => Math.round(c.mean));
  const solid = channels.every((c) => c.stdev < 0.5);
  const colour = solid ? { r: means[0], g: means[1] ?? means[0], b: means[2] ?? means[0] } : stats.dominant;
  return { colour, solid };
}
