import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_LIMITS, normalizeImage, type NormalizeMode } from '../../../src/images/normalize/index.js';
import { animatedGif, noise, pngWithHeader, readPhoto, refusal, solid } from './fixtures.js';

const MODES: readonly NormalizeMode[] = ['AUTO', 'NONE'];

describe('normalizeImage: refuses what is not a JPEG, PNG, GIF or WebP image', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
  it.each([
    ['an SVG', async () => Buffer.from(svg)],
    ['an SVG with an XML declaration', async () => Buffer.from(`<?xml version="1.0"?>\n${svg}`)],
    ['a HEIC file (ftyp box)', async () => Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1')],
    ['an AVIF image', () => solid(16, 16).avif().toBuffer()],
    ['a TIFF image', () => solid(16, 16).tiff().toBuffer()],
    ['a PDF', async () => Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n')],
    ['plain text', async () => Buffer.from('this is not an image, it is a sentence')],
    ['nothing', async () => Buffer.alloc(0)],
  ])('refuses %s as IMAGE_UNSUPPORTED in both modes', async (_name, make) => {
    const bytes = await make();
    for (const mode of MODES) await refusal(normalizeImage(bytes, mode), 'IMAGE_UNSUPPORTED');
  });
});

describe('normalizeImage: refuses images too large to decode before decoding them', () => {
  it('refuses a 30000×30000 PNG bomb from its header without allocating its pixels', async () => {
    const bomb = pngWithHeader(30000, 30000);
    expect(bomb.length).toBeLessThan(1024);
    const rssBefore = process.memoryUsage().rss;
    for (const mode of MODES) {
      expect(await refusal(normalizeImage(bomb, mode), 'IMAGE_DIMENSIONS')).toBe(
        'The image is 30000×30000 px; at most 8000 px per side is accepted',
      );
    }
    // Decoding it would take 900 MB; reading the header takes next to nothing.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a side over 8000 px even when the pixel count is small', async () => {
    const wide = await solid(9000, 10).png().toBuffer();
    expect(await refusal(normalizeImage(wide, 'AUTO'), 'IMAGE_DIMENSIONS')).toMatch(/9000×10 px/);
  });

  it('refuses more pixels than the decode budget', async () => {
    const limits = { ...DEFAULT_NORMALIZE_LIMITS, maxPixels: 1_000_000 };
    const message = await refusal(normalizeImage(pngWithHeader(2000, 1000), 'AUTO', limits), 'IMAGE_DIMENSIONS');
    expect(message).toMatch(/2000000 pixels\); at most 1000000 pixels/);
  });

  it('refuses an animated GIF with more frames than allowed', async () => {
    const gif = await animatedGif(['red', 'green', 'blue']);
    const limits = { ...DEFAULT_NORMALIZE_LIMITS, maxFrames: 2 };
    for (const mode of MODES) {
      expect(await refusal(normalizeImage(gif, mode, limits), 'IMAGE_DIMENSIONS')).toMatch(/3 frames; at most 2/);
    }
  });
});

describe('normalizeImage: refuses truncated, corrupt and polyglot files as IMAGE_INVALID', () => {
  it.each([
    ['JPEG', () => readPhoto()],
    ['PNG', () => solid(200, 100).png().toBuffer()],
    ['GIF', () => solid(200, 100).gif().toBuffer()],
    ['WebP', () => solid(200, 100).webp().toBuffer()],
  ])('refuses a truncated %s without decoding it', async (name, make) => {
    const whole = await make();
    for (const cut of [0.5, 0.9]) {
      const truncated = whole.subarray(0, Math.floor(whole.length * cut));
      for (const mode of MODES) {
        expect(await refusal(normalizeImage(truncated, mode), 'IMAGE_INVALID')).toBe(
          `The ${name} image is truncated or corrupt`,
        );
      }
    }
  });

  it('refuses a PNG whose container is whole but whose pixel data is corrupt, when it decodes it', async () => {
    const png = Buffer.from(await noise(3000, 1000).png().toBuffer());
    const idat = png.indexOf('IDAT', 0, 'latin1');
    png.fill(0x55, idat + 5000, idat + 6000); // inside the compressed data; the chunk structure is intact
    await refusal(normalizeImage(png, 'AUTO'), 'IMAGE_INVALID');
  });

  it.each([
    [
      'PNG with an HTML page after IEND',
      () => solid(64, 64).png().toBuffer(),
      '<html><script>alert(1)</script></html>',
    ],
    ['GIF with a script after the trailer that ends in ;', () => solid(64, 64).gif().toBuffer(), '*/=1;alert(1);'],
    ['WebP with a file after the RIFF chunk', () => solid(64, 64).webp().toBuffer(), '<svg onload="alert(1)"/>'],
  ])('refuses a %s, and never echoes the payload', async (_name, make, payload) => {
    const polyglot = Buffer.concat([await make(), Buffer.from(payload)]);
    for (const mode of MODES) {
      const message = await refusal(normalizeImage(polyglot, mode), 'IMAGE_INVALID');
      expect(message).toMatch(new RegExp(`${payload.length} bytes of other data after its end`));
      expect(message).not.toContain('alert');
    }
  });

  it('refuses a file whose header the decoder cannot read', async () => {
    const png = Buffer.from(await solid(64, 64).png().toBuffer());
    png.write('XXXX', 12, 'latin1'); // the IHDR chunk type
    await refusal(normalizeImage(png, 'AUTO'), 'IMAGE_INVALID');
  });

  it('keeps the decoder’s own error as the cause, not in the message', async () => {
    const png = Buffer.from(await solid(64, 64).png().toBuffer());
    png.write('XXXX', 12, 'latin1');
    const error = await normalizeImage(png, 'AUTO').catch((e: unknown) => e);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await sharp(await solid(1, 1).png().toBuffer()).metadata()).toMatchObject({ format: 'png' });
  });
});
