import type { ImageFormat } from '../../bedrock/index.js';

/** How a format is named in messages to clients. */
export const FORMAT_NAMES: Readonly<Record<ImageFormat, string>> = Object.freeze({
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
});
