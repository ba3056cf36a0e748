import { inflateSync } from 'node:zlib';
import type { ImageFormat } from '../../bedrock/index.js';
import { badInput } from '../../errors.js';
import { FORMAT_NAMES } from './formatNames.js';
import type { NormalizeLimits } from './normalizeLimits.js';

type MetadataLimits = Pick<NormalizeLimits, 'maxMetadataSegments' | 'maxMetadataBytes'>;

/** One metadata segment or chunk: its kind (for the at-most-once rule), its bytes, and its zlib payload if any. */
interface Segment {
  readonly kind: string;
  readonly bytes: number;
  readonly compressed?: Buffer;
}

/** Kinds a well-formed file carries at most once; libexif and lcms parse every copy they are given. */
const ONCE = new Set(['exif', 'icc']);

/**
 * Bounds an image's metadata before sharp (libvips, libexif, lcms, libpng) parses any of it:
 * at most `maxMetadataSegments` segments or chunks, `maxMetadataBytes` in all, one EXIF block
 * and one ICC profile. The zlib-compressed PNG chunks (zTXt, compressed iTXt, iCCP) are
 * inflated here with the remaining budget as a hard output cap, so a few kilobytes that inflate
 * to a gigabyte are refused after at most `maxMetadataBytes` of work: such a chunk would
 * otherwise reach libpng, or reach Bedrock unread when the image is passed through as received.
 *
 * Why: a 3.3 MB JPEG with 50 self-referencing EXIF segments cost 5 s of metadata parsing
 * before it was refused, and eight at once stalled every other request.
 *
 * Only segment headers are read, never pixels. The container is known to be well formed
 * (findImageEnd has walked it), so the walks below can trust the lengths they read.
 */
export function checkMetadata(bytes: Buffer, format: ImageFormat, limits: MetadataLimits): void {
  const name = FORMAT_NAMES[format];
  let count = 0;
  let total = 0;
  const seen = new Set<string>();
  const refuse = (why: string) =>
    badInput('IMAGE_METADATA', `The ${name} image carries ${why}; send it without its metadata`);
  for (const segment of metadataSegments(bytes, format)) {
    count += 1;
    if (count > limits.maxMetadataSegments) {
      throw refuse(`more than ${limits.maxMetadataSegments} metadata segments`);
    }
    if (ONCE.has(segment.kind)) {
      if (seen.has(segment.kind)) throw refuse(`more than one ${segment.kind.toUpperCase()} block`);
      seen.add(segment.kind);
    }
    total += segment.bytes;
    if (segment.compressed !== undefined) total += inflatedSize(segment.compressed, limits.maxMetadataBytes - total);
    if (total > limits.maxMetadataBytes) {
      throw refuse(`more than ${limits.maxMetadataBytes} bytes of metadata (compressed chunks counted inflated)`);
    }
  }
}

/** The inflated size, or just past `budget` when it would inflate further (no more is ever allocated). */
function inflatedSize(data: Buffer, budget: number): number {
  if (budget < 0) return 1;
  try {
    return inflateSync(data, { maxOutputLength: Math.max(budget, 1) }).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return budget + 1;
    throw badInput('IMAGE_INVALID', 'The PNG image has a compressed chunk that does not decompress', error);
  }
}

function metadataSegments(bytes: Buffer, format: ImageFormat): Iterable<Segment> {
  switch (format) {
    case 'jpeg':
      return jpegSegments(bytes);
    case 'png':
      return pngChunks(bytes);
    case 'gif':
      return gifExtensions(bytes);
    case 'webp':
      return webpChunks(bytes);
    default: {
      const unknown: never = format;
      throw new Error(`No metadata walker for ${String(unknown)}`);
    }
  }
}

const startsWith = (bytes: Buffer, at: number, text: string) => bytes.toString('latin1', at, at + text.length) === text;

/** APP0–APP15 and COM segments, up to the first scan (where libjpeg stops reading markers for the header). */
function* jpegSegments(bytes: Buffer): Generator<Segment> {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return;
    const marker = bytes[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    const length = bytes.readUInt16BE(pos + 2);
    if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      const kind =
        marker === 0xe1 && startsWith(bytes, pos + 4, 'Exif\0')
          ? 'exif'
          : marker === 0xe2 && startsWith(bytes, pos + 4, 'ICC_PROFILE\0')
            ? 'icc-part' // a large profile is split over several APP2 segments
            : 'other';
      yield { kind, bytes: length };
    }
    pos += 2 + length;
  }
}

const PNG_PIXEL_CHUNKS = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'fcTL', 'fdAT', 'acTL', 'tRNS']);

/** Every chunk but the pixel and animation ones; zTXt, compressed iTXt and iCCP with their zlib payload. */
function* pngChunks(bytes: Buffer): Generator<Segment> {
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (type === 'IEND') return;
    if (!PNG_PIXEL_CHUNKS.has(type)) {
      const kind = type === 'eXIf' ? 'exif' : type === 'iCCP' ? 'icc' : 'other';
      yield { kind, bytes: length, compressed: pngCompressedPayload(type, data) };
    }
    pos += 12 + length;
  }
}

/** zTXt and iCCP: keyword, NUL, method byte, zlib. iTXt: keyword, NUL, flag, method, language, NUL, keyword, NUL, text. */
function pngCompressedPayload(type: string, data: Buffer): Buffer | undefined {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd === -1) return undefined;
  if (type === 'zTXt' || type === 'iCCP') return data.subarray(keywordEnd + 2);
  if (type !== 'iTXt' || data[keywordEnd + 1] !== 1) return undefined;
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  const translatedEnd = languageEnd === -1 ? -1 : data.indexOf(0, languageEnd + 1);
  // A compressed iTXt whose header does not parse is still compressed: inflate what follows, or refuse it.
  return data.subarray(translatedEnd === -1 ? keywordEnd + 3 : translatedEnd + 1);
}

/** RIFF chunks other than the bitstream and animation frames. */
function* webpChunks(bytes: Buffer): Generator<Segment> {
  const end = 8 + bytes.readUInt32LE(4);
  let pos = 12;
  while (pos + 8 <= end) {
    const type = bytes.toString('latin1', pos, pos + 4);
    const size = bytes.readUInt32LE(pos + 4);
    if (!['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF'].includes(type)) {
      yield { kind: type === 'EXIF' ? 'exif' : type === 'ICCP' ? 'icc' : 'other', bytes: size };
    }
    pos += 8 + size + (size & 1);
  }
}

/** Comment, application and plain-text extensions (not the per-frame graphic control ones). */
function* gifExtensions(bytes: Buffer): Generator<Segment> {
  const table = (flags: number) => (flags & 0x80 ? 3 << ((flags & 0x07) + 1) : 0);
  let pos = 13 + table(bytes[10] as number);
  while (pos < bytes.length) {
    const block = bytes[pos];
    if (block === 0x21) {
      const label = bytes[pos + 1] as number;
      let size = 0;
      pos += 2;
      while (pos < bytes.length && bytes[pos] !== 0) {
        size += bytes[pos] as number;
        pos += 1 + (bytes[pos] as number);
      }
      pos += 1;
      if (label !== 0xf9) yield { kind: 'other', bytes: size };
    } else if (block === 0x2c) {
      pos += 10 + table(bytes[pos + 9] as number) + 1;
      while (pos < bytes.length && bytes[pos] !== 0) pos += 1 + (bytes[pos] as number);
      pos += 1;
    } else {
      return;
    }
  }
}
