import sharp from 'sharp';

/** Bedrock's recommended long edge: an image within it (and within 3.75 MB) is sent as it is, not resized. */
const LONG_EDGE = 1568;

export interface NoiseJpeg {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

async function noisePixels() {
  return sharp({
    create: {
      width: LONG_EDGE,
      height: (LONG_EDGE * 3) / 4,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 80 },
    },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
}

type Pixels = Awaited<ReturnType<typeof noisePixels>>;

async function encodeCrop(pixels: Pixels, width: number): Promise<NoiseJpeg> {
  const height = Math.max(1, Math.round((width * 3) / 4));
  const bytes = await sharp(pixels.data, { raw: { width: pixels.info.width, height: pixels.info.height, channels: 3 } })
    .extract({ left: 0, top: 0, width, height })
    .jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
    .toBuffer();
  return { bytes, width, height };
}

/**
 * A 4:3 JPEG of Gaussian noise whose size is close to `targetBytes`. Noise is what a photo looks like to the
 * encoder's entropy stage, so the bytes stay near the target instead of shrinking to a few hundred bytes of flat
 * colour; the width is found by binary search and never exceeds the 1568 px long edge.
 */
export async function makeNoiseJpeg(targetBytes: number): Promise<NoiseJpeg> {
  const pixels = await noisePixels();
  if ((await encodeCrop(pixels, LONG_EDGE)).bytes.length < targetBytes) {
    throw new Error(`No noise JPEG of ${targetBytes} bytes fits in ${LONG_EDGE} px`);
  }
  let [low, high] = [8, LONG_EDGE];
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if ((await encodeCrop(pixels, mid)).bytes.length < targetBytes) low = mid;
    else high = mid;
  }
  const [below, above] = await Promise.all([encodeCrop(pixels, low), encodeCrop(pixels, high)]);
  return Math.abs(below.bytes.length - targetBytes) <= Math.abs(above.bytes.length - targetBytes) ? below : above;
}
