import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZE_LIMITS, normalizeImage, type NormalizeMode } from '../../src/images/normalize/index.js';
import { crc32, readPhoto, refusal, solid } from '../images/normalize/fixtures.js';

const MODES: readonly NormalizeMode[] = ['AUTO', 'NONE'];

/** A JPEG segment: marker, big-endian length (including itself), data. */
function jpegSegment(marker: number, data: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([header, data]);
}

/** Segments inserted right after SOI. */
const withJpegSegments = (jpeg: Buffer, segments: Buffer[]) =>
  Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);

/** An EXIF block whose first IFD points at itself: a parser without loop detection walks it forever. */
function selfReferencingExif(padding: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4 + padding);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4); // first IFD at 8
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x8769, 10); // ExifIFD pointer …
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(8, 18); // … back to the same IFD
  tiff.writeUInt32LE(8, 22); // next IFD: itself again
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Chunks inserted after IHDR (8-byte signature + 25-byte IHDR chunk). */
const withPngChunks = (png: Buffer, chunks: Buffer[]) =>
  Buffer.concat([png.subarray(0, 33), ...chunks, png.subarray(33)]);

/** 64 MiB of zeros deflate to about 64 KB. */
const zlibBomb = () => deflateSync(Buffer.alloc(64 * 1024 * 1024));

describe('image metadata is bounded before sharp parses it', () => {
  it('refuses a JPEG with 50 self-referencing EXIF segments without parsing them', async () => {
    const jpeg = await solid(32, 32).jpeg().toBuffer();
    const bomb = withJpegSegments(
      jpeg,
      Array.from({ length: 50 }, () => jpegSegment(0xe1, selfReferencingExif(60_000))),
    );
    for (const mode of MODES) {
      expect(await refusal(normalizeImage(bomb, mode), 'IMAGE_METADATA')).toMatch(/more than one EXIF block/);
    }
  });

  it('refuses a JPEG with more metadata segments than allowed, and takes one at the limit', async () => {
    const jpeg = await solid(32, 32).jpeg().toBuffer();
    const comments = (n: number) => Array.from({ length: n }, (_, i) => jpegSegment(0xfe, Buffer.from(`c${i}`)));
    const limit = DEFAULT_NORMALIZE_LIMITS.maxMetadataSegments;
    expect(
      await refusal(normalizeImage(withJpegSegments(jpeg, comments(limit + 1)), 'NONE'), 'IMAGE_METADATA'),
    ).toMatch(new RegExp(`more than ${limit} metadata segments`));
    // sharp's own JPEG carries none, so `limit` comments are exactly at the limit.
    expect((await normalizeImage(withJpegSegments(jpeg, comments(limit)), 'NONE')).changes).toEqual([]);
  });

  it('refuses a JPEG with more metadata bytes than allowed', async () => {
    const jpeg = await solid(32, 32).jpeg().toBuffer();
    const xmp = Array.from({ length: 40 }, () => jpegSegment(0xe1, Buffer.alloc(65_000, 0x20)));
    expect(await refusal(normalizeImage(withJpegSegments(jpeg, xmp), 'AUTO'), 'IMAGE_METADATA')).toMatch(
      /bytes of metadata/,
    );
  });

  it.each([
    ['zTXt', () => pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), zlibBomb()]))],
    ['iCCP', () => pngChunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), zlibBomb()]))],
    [
      'compressed iTXt',
      () => pngChunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\x01\0en\0\0', 'latin1'), zlibBomb()])),
    ],
  ])('refuses a PNG whose %s chunk inflates past the budget, in both modes', async (_name, chunk) => {
    const png = withPngChunks(await solid(16, 16).png().toBuffer(), [chunk()]);
    // Small enough to be passed through as received: nothing but this check would read the chunk.
    expect(png.length).toBeLessThan(100_000);
    for (const mode of MODES) {
      expect(await refusal(normalizeImage(png, mode), 'IMAGE_METADATA')).toMatch(/counted inflated/);
    }
  });

  it('refuses a PNG with two EXIF chunks or more text chunks than allowed', async () => {
    const png = await solid(16, 16).png().toBuffer();
    const exif = pngChunk('eXIf', selfReferencingExif(0).subarray(6));
    expect(await refusal(normalizeImage(withPngChunks(png, [exif, exif]), 'NONE'), 'IMAGE_METADATA')).toMatch(
      /more than one EXIF block/,
    );
    const texts = Array.from({ length: 65 }, (_, i) => pngChunk('tEXt', Buffer.from(`k${i}\0v`, 'latin1')));
    await refusal(normalizeImage(withPngChunks(png, texts), 'NONE'), 'IMAGE_METADATA');
  });

  it('refuses a GIF with more comment extensions than allowed', async () => {
    const gif = await solid(8, 8).gif().toBuffer();
    const comment = Buffer.from([0x21, 0xfe, 3, 0x61, 0x62, 0x63, 0]);
    // After the header and the global colour table (13 + table bytes), before the first block.
    const flags = gif[10]!;
    const headerEnd = 13 + (flags & 0x80 ? 3 << ((flags & 0x07) + 1) : 0);
    const bomb = Buffer.concat([gif.subarray(0, headerEnd), ...Array(65).fill(comment), gif.subarray(headerEnd)]);
    await refusal(normalizeImage(bomb, 'NONE'), 'IMAGE_METADATA');
  });

  it('refuses a WebP with two EXIF chunks', async () => {
    const webp = await solid(16, 16)
      .webp()
      .withExif({ IFD0: { Copyright: 'x' } })
      .toBuffer();
    const at = webp.indexOf('EXIF', 12, 'latin1');
    expect(at).toBeGreaterThan(0);
    const size = webp.readUInt32LE(at + 4);
    const exif = webp.subarray(at, at + 8 + size + (size & 1));
    const doubled = Buffer.concat([webp.subarray(0, at), exif, webp.subarray(at)]);
    doubled.writeUInt32LE(doubled.length - 8, 4);
    expect(await refusal(normalizeImage(doubled, 'NONE'), 'IMAGE_METADATA')).toMatch(/more than one EXIF block/);
  });

  it('takes ordinary metadata: a camera photo, and images with EXIF, ICC and text chunks', async () => {
    expect((await normalizeImage(await readPhoto(), 'AUTO')).format).toBe('jpeg');
    const tagged = solid(64, 48)
      .withMetadata({ icc: 'p3' })
      .withExif({ IFD0: { Copyright: 'me' } });
    for (const bytes of [await tagged.clone().jpeg().toBuffer(), await tagged.clone().webp().toBuffer()]) {
      expect((await normalizeImage(bytes, 'NONE')).changes).toEqual([]);
    }
    const png = await tagged.clone().png().toBuffer();
    const text = pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync('hello')]));
    expect((await normalizeImage(withPngChunks(png, [text]), 'NONE')).changes).toEqual([]);
  });
});
