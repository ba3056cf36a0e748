/**
 * Image intake benchmark: what normalizeImage + sha256 costs per image, and the process's peak RSS when
 * many run at once. Inputs are generated (Gaussian noise, the encoder's worst case) at the sizes that matter:
 * JPEGs that need no change, and a 12 MP phone photo taken sideways.
 *
 * Peak RSS is measured in a child process holding only its input, so what the parent allocated to make
 * the inputs and time the 12 MP image does not count.
 *
 *   tsc (bench/ and src/ into one build), then: node dist/bench/images/intakeBench.js
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { normalizeImage, type NormalizedImage } from '../../src/images/normalize/index.js';

const RUNS = 50;
const WARM_UP = 5;
const CONCURRENCY = 32;
const TARGET_PASS_THROUGH_MS = 2;
const TARGET_PEAK_RSS_MB = 500;
const MB = 1024 * 1024;

interface Input {
  readonly label: string;
  readonly bytes: Buffer;
}

/** Raw 8-bit RGB noise, made once and cut to size for every JPEG below. */
async function noisePixels(width: number, height: number, sigma: number) {
  return sharp({
    create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma } },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
}

type Pixels = Awaited<ReturnType<typeof noisePixels>>;

function encodeCrop(pixels: Pixels, width: number, quality: number, chroma: '4:2:0' | '4:4:4') {
  const height = Math.max(1, Math.round((width * 3) / 4));
  return sharp(pixels.data, { raw: { width: pixels.info.width, height: pixels.info.height, channels: 3 } })
    .extract({ left: 0, top: 0, width, height })
    .jpeg({ quality, chromaSubsampling: chroma })
    .toBuffer();
}

/** A 4:3 noise JPEG no longer than 1568 px whose size is close to `target` bytes (binary search on width). */
async function jpegNear(pixels: Pixels, target: number): Promise<Buffer> {
  for (const [quality, chroma] of [
    [80, '4:2:0'],
    [92, '4:4:4'],
    [100, '4:4:4'],
  ] as const) {
    if ((await encodeCrop(pixels, 1568, quality, chroma)).length < target) continue;
    let [low, high] = [8, 1568];
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if ((await encodeCrop(pixels, mid, quality, chroma)).length < target) low = mid;
      else high = mid;
    }
    const [below, above] = await Promise.all([
      encodeCrop(pixels, low, quality, chroma),
      encodeCrop(pixels, high, quality, chroma),
    ]);
    return Math.abs(below.length - target) <= Math.abs(above.length - target) ? below : above;
  }
  throw new Error(`No noise JPEG of ${target} bytes fits in 1568 px`);
}

async function describeInput(label: string, bytes: Buffer): Promise<Input> {
  const meta = await sharp(bytes).metadata();
  const orientation = meta.orientation && meta.orientation > 1 ? `, EXIF orientation ${meta.orientation}` : '';
  return { label: `${label} (${meta.width}×${meta.height}${orientation})`, bytes };
}

async function makeInputs(): Promise<Input[]> {
  const pixels = await noisePixels(1568, 1176, 80);
  const inputs: Input[] = [];
  for (const [label, target] of [
    ['10 KB JPEG', 10_000],
    ['250 KB JPEG', 250_000],
    ['1 MB JPEG', 1_000_000],
    ['3.7 MB JPEG', 3_700_000],
  ] as const) {
    inputs.push(await describeInput(label, await jpegNear(pixels, target)));
  }
  const phone = await sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  inputs.push(await describeInput('12 MP JPEG', phone));
  return inputs;
}

/** The intake step being measured: normalise, then hash what will be sent (the ledger keys images by it). */
async function intake(bytes: Buffer): Promise<{ image: NormalizedImage; sha256: string }> {
  const image = await normalizeImage(bytes, 'AUTO');
  return { image, sha256: createHash('sha256').update(image.bytes).digest('hex') };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

async function timeIntake(bytes: Buffer) {
  for (let i = 0; i < WARM_UP; i += 1) await intake(bytes);
  const times: number[] = [];
  let last: NormalizedImage | undefined;
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    last = (await intake(bytes)).image;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95), image: last as NormalizedImage };
}

interface RssResult {
  readonly before: number;
  readonly peak: number;
  readonly ms: number;
}

const PEAK_RSS_FLAG = '--peak-rss';

/** In the child: peak RSS while `count` intakes of the file's bytes run at once, sampled every 5 ms. */
async function measurePeakRss(file: string, count: number): Promise<RssResult> {
  const bytes = await readFile(file);
  await normalizeImage(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
    'AUTO',
  );
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: count }, () => intake(bytes)));
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { before, peak, ms: performance.now() - start };
}

/** In the parent: runs `measurePeakRss` in a fresh child process. */
async function peakRssInChild(bytes: Buffer, count: number): Promise<RssResult> {
  const dir = await mkdtemp(join(tmpdir(), 'intake-bench-'));
  try {
    const file = join(dir, 'input');
    await writeFile(file, bytes);
    return await new Promise<RssResult>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [PEAK_RSS_FLAG, file, String(count)]);
      child.once('message', (result) => resolve(result as RssResult));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`The RSS child exited with ${code}`)));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log('Image intake benchmark: normalizeImage(AUTO) + sha256');
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, ` +
      `${RUNS} runs after ${WARM_UP} warm-up`,
  );
  const inputs = await makeInputs();

  const timingRows: string[][] = [];
  for (const input of inputs) {
    const { median, p95, image } = await timeIntake(input.bytes);
    const passThrough = input.label.startsWith('250 KB');
    timingRows.push([
      input.label,
      kb(input.bytes.length),
      `${kb(image.byteSize)} ${image.width}×${image.height}`,
      image.changes.length === 0 ? 'none' : image.changes.join('+'),
      ms(median),
      ms(p95),
      passThrough ? `≤ ${TARGET_PASS_THROUGH_MS} ms: ${median <= TARGET_PASS_THROUGH_MS ? 'met' : 'MISSED'}` : '',
    ]);
  }
  console.log();
  console.log(table(['input', 'in', 'sent', 'changes', 'median ms', 'p95 ms', 'target'], timingRows));

  const oneMb = inputs.find((i) => i.label.startsWith('1 MB')) as Input;
  const phone = inputs.find((i) => i.label.startsWith('12 MP')) as Input;
  const memoryRows: string[][] = [];
  for (const [label, input, target] of [
    [`${CONCURRENCY} × 1 MB JPEG at once`, oneMb, true],
    [`${CONCURRENCY} × 12 MP rotated JPEG at once`, phone, false],
  ] as const) {
    const { before, peak, ms: elapsed } = await peakRssInChild(input.bytes, CONCURRENCY);
    const verdict = peak / MB <= TARGET_PEAK_RSS_MB ? 'met' : 'MISSED';
    memoryRows.push([
      label,
      mb(before),
      mb(peak),
      ms(elapsed),
      target ? `peak ≤ ${TARGET_PEAK_RSS_MB} MB: ${verdict}` : '(for information)',
    ]);
  }
  console.log();
  console.log(table(['concurrent intake', 'RSS before', 'peak RSS', 'wall ms', 'target'], memoryRows));
  console.log();
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === PEAK_RSS_FLAG) {
  const result = await measurePeakRss(process.argv[3] as string, Number(process.argv[4]));
  process.send?.(result, () => process.exit(0));
} else {
  await main();
}
