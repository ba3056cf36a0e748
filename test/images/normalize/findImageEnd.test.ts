import { describe, expect, it } from 'vitest';
import type { ImageFormat } from '../../../src/bedrock/index.js';
import { findImageEnd } from '../../../src/images/normalize/findImageEnd.js';
import { animatedGif, noise, readPhoto, solid } from './fixtures.js';

// A unit test of an inside module: the container walk is what stands between a truncated upload and
// Bedrock on the pass-through path, so every cut is worth checking directly.
const images: [ImageFormat, string, () => Promise<Buffer>][] = [
  ['jpeg', 'the real photograph (EXIF, Photoshop APP13, restart markers)', readPhoto],
  ['jpeg', 'a baseline JPEG', () => noise(64, 48).jpeg().toBuffer()],
  ['jpeg', 'a progressive JPEG', () => noise(64, 48).jpeg({ progressive: true }).toBuffer()],
  ['png', 'a PNG', () => noise(40, 30).png().toBuffer()],
  ['gif', 'a GIF', () => noise(40, 30).gif().toBuffer()],
  ['gif', 'an animated GIF', () => animatedGif(['red', 'green', 'blue'])],
  ['webp', 'a lossy WebP', () => noise(40, 30).webp().toBuffer()],
  ['webp', 'a lossless WebP with alpha', () => solid(40, 30).ensureAlpha(0.5).webp({ lossless: true }).toBuffer()],
];

describe('findImageEnd: where an image ends by its own container structure', () => {
  it.each(images)('finds the exact end of %s: %s', async (format, _name, make) => {
    const bytes = await make();
    expect(findImageEnd(bytes, format)).toBe(bytes.length);
    expect(findImageEnd(Buffer.concat([bytes, Buffer.from('<html>;')]), format)).toBe(bytes.length);
  });

  it.each(images)('finds no end in any cut-off copy of %s: %s', async (format, _name, make) => {
    const bytes = await make();
    const step = Math.max(1, Math.floor(bytes.length / 2000));
    for (let length = 0; length < bytes.length; length += length < 64 ? 1 : step) {
      expect({ length, end: findImageEnd(bytes.subarray(0, length), format) }).toEqual({ length, end: undefined });
    }
    expect(findImageEnd(bytes.subarray(0, bytes.length - 1), format)).toBeUndefined();
  });

  it('skips the end marker of a thumbnail inside a JPEG segment', async () => {
    const thumbnail = await solid(8, 8).jpeg().toBuffer();
    const app1 = Buffer.alloc(4);
    app1.writeUInt16BE(0xffe1, 0);
    app1.writeUInt16BE(2 + thumbnail.length, 2);
    const jpeg = await solid(16, 16).jpeg().toBuffer();
    const withThumbnail = Buffer.concat([jpeg.subarray(0, 2), app1, thumbnail, jpeg.subarray(2)]);
    expect(findImageEnd(withThumbnail, 'jpeg')).toBe(withThumbnail.length);
  });
});
