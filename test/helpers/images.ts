import { readFileSync } from 'node:fs';
import sharp from 'sharp';

/** The real 720×477 JPEG photograph from shared fixtures (see test/fixtures/README.md). */
export const photoBoardJpeg = (): Buffer => readFileSync(new URL('../fixtures/photo-board.jpg', import.meta.url));

/** A solid-colour image generated in memory: tiny, deterministic, any format. */
export function solidImage(
  width: number,
  height: number,
  format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png',
  colour = { r: 200, g: 30, b: 30 },
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
}

export const toBase64 = (bytes: Buffer): string => bytes.toString('base64');
