import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_LIMITS, normalizeImage } from '../../../src/images/normalize/index.js';
import { animatedGif, noise, pixelAt, readPhoto, refusal, solid } from './fixtures.js';

const MIB = 1024 * 1024;

/** 1568×1568 noise at quality 100 without chroma subsampling: about 7 MB, made once (it takes a second). */
let oversized: Promise<Buffer> | undefined;
const oversizedJpeg = () =>
  (oversized ??= noise(1568, 1568).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer());

describe('normalizeImage: an image that needs nothing is sent byte for byte', () => {
  it('passes the real photograph through unchanged', async () => {
    const photo = await readPhoto();
    const image = await normalizeImage(photo, 'AUTO');
    expect(image.bytes.equals(photo)).toBe(true);
    expect(image).toMatchObject({
      format: 'jpeg',
      mediaType: 'image/jpeg',
      width: 720,
      height: 477,
      byteSize: photo.length,
      original: { format: 'jpeg', width: 720, height: 477, byteSize: photo.length },
      changes: [],
      estimatedTokens: Math.ceil((720 * 477) / 750),
    });
  });

  it.each([
    ['png', () => solid(300, 200).png().toBuffer()],
    ['webp', () => solid(300, 200).webp().toBuffer()],
    ['gif', () => solid(300, 200).gif().toBuffer()],
  ] as const)('passes a small %s through unchanged', async (format, make) => {
    const bytes = await make();
    const image = await normalizeImage(bytes, 'AUTO');
    expect(image.bytes.equals(bytes)).toBe(true);
    expect(image).toMatchObject({ format, mediaType: `image/${format}`, width: 300, height: 200, changes: [] });
  });

  it('passes an animated GIF through with every frame, even when longer than the target edge', async () => {
    const gif = await animatedGif(['red', 'green', 'blue'], 2000, 20);
    const image = await normalizeImage(gif, 'AUTO');
    expect(image.bytes.equals(gif)).toBe(true);
    expect(image).toMatchObject({ format: 'gif', width: 2000, height: 20, changes: [] });
    expect((await sharp(image.bytes).metadata()).pages).toBe(3);
  });

  it('keeps the bytes in mode NONE where AUTO would rotate and downscale, and reports upright sides', async () => {
    const jpeg = await solid(2000, 1000).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const image = await normalizeImage(jpeg, 'NONE');
    expect(image.bytes.equals(jpeg)).toBe(true);
    expect(image).toMatchObject({ width: 1000, height: 2000, changes: [], estimatedTokens: 2667 });
  });

  it('refuses in mode NONE an image AUTO would make small enough', async () => {
    const jpeg = await oversizedJpeg();
    expect(jpeg.length).toBeGreaterThan(DEFAULT_NORMALIZE_LIMITS.maxBytes);
    expect(await refusal(normalizeImage(jpeg, 'NONE'), 'IMAGE_TOO_LARGE')).toMatch(/without normalisation/);
  });
});

describe('normalizeImage: mode AUTO makes an image what the model should receive', () => {
  it('turns a 12 MP photo taken sideways upright and downscales it to 1568 px', async () => {
    // Stored 4000×3000 with a red block in the stored top-left corner; orientation 6 means "rotate 90°
    // clockwise to display", so upright the block is in the top-right corner.
    const red = await solid(400, 400, '#ff0000').png().toBuffer();
    const photo = await solid(4000, 3000, '#808080')
      .composite([{ input: red, left: 0, top: 0 }])
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer();

    const image = await normalizeImage(photo, 'AUTO');

    expect(image).toMatchObject({
      format: 'jpeg',
      width: 1176,
      height: 1568,
      original: { format: 'jpeg', width: 3000, height: 4000, byteSize: photo.length },
      changes: ['ROTATED', 'DOWNSCALED', 'REENCODED'],
      estimatedTokens: Math.ceil((1176 * 1568) / 750),
    });
    expect(image.byteSize).toBe(image.bytes.length);
    expect(image.byteSize).toBeLessThanOrEqual(3.75 * MIB);
    const meta = await sharp(image.bytes).metadata();
    expect({ width: meta.width, height: meta.height, orientation: meta.orientation }).toEqual({
      width: 1176,
      height: 1568,
      orientation: undefined,
    });
    const [r, g, b] = await pixelAt(image.bytes, 1176 - 40, 40);
    expect(r).toBeGreaterThan(200);
    expect(g + b).toBeLessThan(80);
    const grey = [expect.closeTo(128, -1), expect.closeTo(128, -1), expect.closeTo(128, -1)];
    expect(await pixelAt(image.bytes, 40, 40)).toEqual(grey);
    expect(await pixelAt(image.bytes, 40, 1568 - 40)).toEqual(grey);
    expect(await pixelAt(image.bytes, 1176 - 40, 1568 - 40)).toEqual(grey);
  });

  it('downscales a large PNG and keeps it a PNG', async () => {
    const png = await solid(3000, 1000).png().toBuffer();
    const image = await normalizeImage(png, 'AUTO');
    expect(image).toMatchObject({ format: 'png', width: 1568, height: 523, changes: ['DOWNSCALED', 'REENCODED'] });
    expect((await sharp(image.bytes).metadata()).format).toBe('png');
  });

  it('re-encodes a JPEG over 3.75 MiB that needs no downscale', async () => {
    const jpeg = await oversizedJpeg();
    expect(jpeg.length).toBeGreaterThan(DEFAULT_NORMALIZE_LIMITS.maxBytes);
    const image = await normalizeImage(jpeg, 'AUTO');
    expect(image).toMatchObject({ format: 'jpeg', width: 1568, height: 1568, changes: ['REENCODED'] });
    expect(image.byteSize).toBeLessThanOrEqual(DEFAULT_NORMALIZE_LIMITS.maxBytes);
  });

  it('lowers JPEG quality step by step until the image fits, and refuses one that never fits', async () => {
    const jpeg = await noise(1200, 900).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
    const quality90 = await sharp(jpeg).jpeg({ quality: 90 }).toBuffer();
    const maxBytes = Math.round(quality90.length * 0.7);
    const image = await normalizeImage(jpeg, 'AUTO', { ...DEFAULT_NORMALIZE_LIMITS, maxBytes });
    expect(image.changes).toEqual(['REENCODED']);
    expect(image.byteSize).toBeLessThanOrEqual(maxBytes);

    const tiny = { ...DEFAULT_NORMALIZE_LIMITS, maxBytes: 100_000 };
    expect(await refusal(normalizeImage(jpeg, 'AUTO', tiny), 'IMAGE_TOO_LARGE')).toMatch(/at most 100000 bytes/);
  });

  it('refuses a PNG still over the byte limit after downscaling, and one that needs no downscale', async () => {
    const limits = { ...DEFAULT_NORMALIZE_LIMITS, maxBytes: 1_000_000 };
    const large = await noise(2000, 1500).png().toBuffer();
    expect(await refusal(normalizeImage(large, 'AUTO', limits), 'IMAGE_TOO_LARGE')).toMatch(/as a 1568×1176 PNG/);
    const small = await noise(1000, 800).png().toBuffer();
    expect(small.length).toBeGreaterThan(limits.maxBytes);
    expect(await refusal(normalizeImage(small, 'AUTO', limits), 'IMAGE_TOO_LARGE')).toMatch(/as a JPEG/);
  });

  it('drops data appended after a JPEG by re-encoding it, and refuses it in mode NONE', async () => {
    const jpeg = await solid(400, 300).jpeg().toBuffer();
    const gainMap = await solid(200, 150, '#000000').jpeg().toBuffer();
    const withGainMap = Buffer.concat([jpeg, gainMap]);

    const image = await normalizeImage(withGainMap, 'AUTO');
    expect(image).toMatchObject({ format: 'jpeg', width: 400, height: 300, changes: ['REENCODED'] });
    expect(image.bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(image.bytes.indexOf(Buffer.from([0xff, 0xd8]), 2)).toBe(-1);

    expect(await refusal(normalizeImage(withGainMap, 'NONE'), 'IMAGE_INVALID')).toMatch(/after its end/);
  });

  it('ignores zero padding after the end of an image', async () => {
    const png = await solid(50, 50).png().toBuffer();
    const padded = Buffer.concat([png, Buffer.alloc(64)]);
    const image = await normalizeImage(padded, 'AUTO');
    expect(image.bytes.equals(padded)).toBe(true);
    expect(image.changes).toEqual([]);
  });

  it('estimates tokens as ceil(width × height / 750) of what is sent', async () => {
    const image = await normalizeImage(await solid(3136, 100).png().toBuffer(), 'AUTO');
    expect({ width: image.width, height: image.height }).toEqual({ width: 1568, height: 50 });
    expect(image.estimatedTokens).toBe(Math.ceil((1568 * 50) / 750));
    expect((await normalizeImage(await solid(1, 1).png().toBuffer(), 'AUTO')).estimatedTokens).toBe(1);
  });
});
