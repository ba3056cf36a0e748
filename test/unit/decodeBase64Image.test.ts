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

  it('refuses a skipped character that the decoded length alone would not show', () => {
    // Node decodes 'AAAA*' to three bytes, as many as 'AAAA' (five characters, one skipped).
    expect(reasonOf(() => decodeBase64Image('AAAA*'))).toBe('IMAGE_BASE64_INVALID');
    expect(reasonOf(() => decodeBase64Image('AAAAAAA\u00e9A'))).toBe('IMAGE_BASE64_INVALID');
    expect(reasonOf(() => decodeBase64Image('QQ==QUFB'))).toBe('IMAGE_BASE64_INVALID');
  });

  it('reads no character beyond ASCII as a base64 letter', () => {
    // Node decodes wide characters from their low byte: '\u0141' as 'A', '\u0452' as 'R', '\u202f' as '/'.
    expect(reasonOf(() => decodeBase64Image('AAA\u0141'))).toBe('IMAGE_BASE64_INVALID');
    expect(reasonOf(() => decodeBase64Image('iVBO\u0452w0KGgo='))).toBe('IMAGE_BASE64_INVALID');
    // A Unicode space is whitespace to the contract: skipped, not read as '/'.
    expect(decodeBase64Image('AAA\u202f').equals(Buffer.from([0, 0]))).toBe(true);
  });

  it('decodes any text exactly as the careful reading of the contract does', () => {
    // The contract, read slowly: whitespace ignored; the standard and URL-safe alphabets, mixed or not; at most two
    // '=' and only at the end; never 4k + 1 characters; empty refused.
    const contract = (text: string): Buffer | string => {
      const payload = text.replace(/\s+/g, '');
      const unpadded = payload.replace(/=+$/, '');
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload) || unpadded.length % 4 === 1) return 'IMAGE_BASE64_INVALID';
      const bytes = Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      return bytes.length === 0 ? 'IMAGE_EMPTY' : bytes;
    };
    // mulberry32: every bit of its output varies (the low bits of a plain LCG repeat every few draws).
    let seed = 20261129;
    const random = (below: number) => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (((t ^ (t >>> 14)) >>> 0) % below) >>> 0;
    };
    // Beyond ASCII: characters whose low byte is in the alphabet ('\u0141' ends in 0x41, 'A'; '\u0452' in 0x52, 'R'),
    // Unicode spaces the careful path strips but whose low byte is '/' or '_' ('\u202f', '\u205f'), a lone surrogate.
    const wide = ['\u00e9', '\u00a0', '\u0141', '\u0452', '\u202f', '\u205f', '\u2028', '\u3000', '\ud841', '\u013d'];
    const symbols = ['A', 'Q', 'z', '0', '9', '+', '/', '-', '_', '=', '=', ' ', '\n', '\t', '*', '.', ...wide];
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const length = random(14);
      texts.push(Array.from({ length }, () => symbols[random(symbols.length)]).join(''));
      // Any code unit at all, among base64 letters.
      texts.push(
        Array.from({ length }, () => (random(3) === 0 ? String.fromCharCode(random(0x10000)) : 'QUFB'[random(4)])).join(
          '',
        ),
      );
    }
    for (let i = 0; i < 2_000; i += 1) {
      const encoded = Buffer.from(Array.from({ length: random(40) }, () => random(256))).toString(
        random(2) === 0 ? 'base64' : 'base64url',
      );
      const at = random(encoded.length + 1);
      // Valid text, then the same with one change: a character dropped, replaced, or padding cut or added.
      texts.push(
        encoded,
        encoded.slice(0, at) + encoded.slice(at + 1),
        encoded.slice(0, at) + symbols[random(symbols.length)] + encoded.slice(at + 1),
        encoded.replace(/=+$/, ''),
        `${encoded}=`,
      );
    }
    const outcome = (text: string) => {
      try {
        return decodeBase64Image(text);
      } catch (error) {
        return (error as { reason?: string }).reason;
      }
    };
    const disagreements = texts.filter((text) => {
      const [got, expected] = [outcome(text), contract(text)];
      return Buffer.isBuffer(got) && Buffer.isBuffer(expected) ? !got.equals(expected) : got !== expected;
    });
    expect(disagreements).toEqual([]);
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
