import sharp, { type OutputInfo, type Sharp } from 'sharp';
import type { ImageFormat } from '../../bedrock/index.js';
import { badInput } from '../../errors.js';
import { FORMAT_NAMES } from './formatNames.js';

export interface RenderPlan {
  readonly format: ImageFormat;
  /** Apply the EXIF orientation. */
  readonly rotate: boolean;
  /** Fit inside this square, never enlarging. */
  readonly longEdge: number;
  /** Keep a palette PNG a palette PNG, which keeps it small. */
  readonly palette: boolean;
  readonly maxBytes: number;
  readonly maxPixels: number;
}

export interface RenderedImage {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Qualities tried in turn until the encoding fits `maxBytes`. Lossy formats step down; PNG and GIF are
 * lossless, so a second attempt would give the same size and a still-too-large one is refused.
 */
const QUALITY_STEPS: Record<ImageFormat, readonly (number | undefined)[]> = {
  jpeg: [90, 80, 70, 60],
  webp: [90, 80, 70, 60],
  png: [undefined],
  gif: [undefined],
};

/**
 * Decodes once (the pixel budget enforced again by the decoder, truncation and decoder errors refused),
 * orients and downscales, then encodes in the same format. Pixels are kept raw between attempts so a
 * lower quality costs an encode, not another decode.
 *
 * Encoding drops all metadata (sharp's default): EXIF, including GPS position, never leaves in a changed
 * image, and colour is converted to sRGB.
 */
export async function renderImage(bytes: Buffer, plan: RenderPlan): Promise<RenderedImage> {
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    const pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: plan.maxPixels });
    if (plan.rotate) pipeline.autoOrient();
    pixels = await pipeline
      .resize(plan.longEdge, plan.longEdge, { fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw badInput('IMAGE_INVALID', 'The image is truncated or corrupt and cannot be decoded', error);
  }
  const { width, height, channels } = pixels.info;
  let smallest = Number.POSITIVE_INFINITY;
  for (const quality of QUALITY_STEPS[plan.format]) {
    const encoded = await encode(sharp(pixels.data, { raw: { width, height, channels } }), plan, quality);
    if (encoded.length <= plan.maxBytes) return { bytes: encoded, width, height };
    smallest = Math.min(smallest, encoded.length);
  }
  const hint = plan.format === 'png' || plan.format === 'gif' ? '; try sending it as a JPEG' : '';
  throw badInput(
    'IMAGE_TOO_LARGE',
    `The image is still ${smallest} bytes as a ${width}×${height} ${FORMAT_NAMES[plan.format]}; ` +
      `at most ${plan.maxBytes} bytes are accepted${hint}`,
  );
}

function encode(image: Sharp, plan: RenderPlan, quality: number | undefined): Promise<Buffer> {
  switch (plan.format) {
    case 'jpeg':
      return image.jpeg({ quality }).toBuffer();
    case 'webp':
      return image.webp({ quality }).toBuffer();
    case 'png':
      return image.png({ palette: plan.palette }).toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    default: {
      const unknown: never = plan.format;
      throw new Error(`No encoder for ${String(unknown)}`);
    }
  }
}
