import sharp from 'sharp';

/**
 * A photo-like JPEG of about `targetBytes`: Gaussian noise, softened a little, in 4:3, the width found by bisection.
 * Noise is the encoder's worst case, so the file is small in pixels for its size, as a phone photo's thumbnail is.
 */
export async function noisyJpeg(targetBytes: number): Promise<Buffer> {
  const encode = (width: number): Promise<Buffer> =>
    sharp({
      create: {
        width,
        height: Math.max(1, Math.round((width * 3) / 4)),
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 50 },
      },
    })
      .blur(0.5)
      .jpeg({ quality: 80 })
      .toBuffer();
  let [low, high] = [16, 2048];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if ((await encode(mid)).length < targetBytes) low = mid;
    else high = mid;
  }
  const [below, above] = await Promise.all([encode(low), encode(high)]);
  return Math.abs(below.length - targetBytes) <= Math.abs(above.length - targetBytes) ? below : above;
}

/**
 * The same picture with a JPEG comment (COM segment) holding `n` right after the start-of-image marker: other bytes,
 * so another hash and a fresh decode in the emulator, yet the same pixels and the same answer.
 */
export function withComment(jpeg: Buffer, n: number): Buffer {
  const text = Buffer.from(`bench ${n}`, 'latin1');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(2 + text.length, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
