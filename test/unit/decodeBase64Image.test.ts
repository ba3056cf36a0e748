import { describe, expect, it } from 'vitest';
import { decodeBase64Image, sniffImageFormat } from '../../src/images/index.js';

const reasonOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
  return 'no error';
};

describe('decodeBase64Image', () => {
  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 250, 251]);

  it('decodes standard, URL-safe, unpadded, line-wrapped base64 and data: URLs to the same bytes', () => {
    const std = bytes.toString('base64');
    for (const text of [
      std,
      bytes.toString('base64url'),
      std.replace(/=+$/, ''),
      `${std.slice(0, 8)}\n${std.slice(8)}`,
      `data:image/png;base64,${std}`,
    ]) {
      expect(decodeBase64Image(text).equals(bytes)).toBe(true);
    }
  });

  it('refuses characters outside the alphabet instead of skipping them', () => {
    expect(reasonOf(() => decodeBase64Image('iVBO*Rw0K'))).toBe('IMAGE_BASE64_INVALID');
    expect(reasonOf(() => decodeBase64Image('abcde'))).toBe('IMAGE_BASE64_INVALID');
    expect(reasonOf(() => decodeBase64Image('data:image/png,rawtext'))).toBe('IMAGE_BASE64_INVALID');
  });

  it('refuses empty input', () => {
    expect(reasonOf(() => decodeBase64Image(''))).toBe('IMAGE_EMPTY');
  });
});

describe('sniffImageFormat', () => {
  it('identifies the four formats Bedrock takes from their magic bytes', () => {
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffImageFormat(Buffer.from('GIF89a....'))).toBe('gif');
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
  });

  it('does not recognise SVG, PDF, TIFF or text', () => {
    for (const text of ['<svg xmlns="http://www.w3.org/2000/svg"/>', '%PDF-1.7', 'II*\0', 'hello']) {
      expect(sniffImageFormat(Buffer.from(text))).toBeUndefined();
    }
  });
});
