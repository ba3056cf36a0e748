import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { expect } from 'vitest';
import { isAppError, type InputReason } from '../../../src/errors.js';

/** Fixtures are generated here, close to the tests; only the real photograph is a file. */

export const readPhoto = () => readFile(new URL('../../fixtures/photo-board.jpg', import.meta.url));

export function solid(width: number, height: number, background = '#3a7bd5'): Sharp {
  return sharp({ create: { width, height, channels: 3, background } });
}

/** Gaussian noise: the worst case for every encoder, so byte sizes are large and predictable. */
export function noise(width: number, height: number): Sharp {
  return sharp({
    create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 80 } },
  });
}

/** A GIF with one solid frame per colour. */
export async function animatedGif(colours: readonly string[], width = 24, height = 16): Promise<Buffer> {
  const frames = await Promise.all(colours.map((c) => solid(width, height, c).png().toBuffer()));
  return sharp(frames, { join: { animated: true } })
    .gif()
    .toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG uses it (Node 20 has no zlib.crc32). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A well-formed 8-bit greyscale PNG whose header claims `width`×`height` but whose image data covers only a
 * few rows: a decompression bomb in a few hundred bytes, with valid CRCs so nothing but the size is wrong.
 */
export function pngWithHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc((width + 1) * 4))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The RGB value of one pixel. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data } = await sharp(image)
    .extract({ left: x, top: y, width: 1, height: 1 })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return [data[0] as number, data[1] as number, data[2] as number];
}

/** Asserts a BAD_USER_INPUT refusal with `reason`, and returns its message. */
export async function refusal(promise: Promise<unknown>, reason: InputReason): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAppError(error)) throw new Error(`Expected a refusal with ${reason}, got ${String(error)}`);
  expect({ code: error.code, reason: error.reason }).toEqual({ code: 'BAD_USER_INPUT', reason });
  return error.message;
}
