import type { ImageFormat } from '../../bedrock/index.js';

/**
 * Where the image ends by its own container structure: the offset just past the JPEG EOI marker, the PNG
 * IEND chunk, the GIF trailer or the WebP RIFF chunk. `undefined` when the structure runs past the end of
 * the bytes (truncated) or does not parse (corrupt).
 *
 * Only segment and chunk headers are read, never pixels, so this is how the pass-through path catches a
 * truncated upload without decoding. An `end` short of `bytes.length` means something is appended.
 */
export function findImageEnd(bytes: Buffer, format: ImageFormat): number | undefined {
  switch (format) {
    case 'jpeg':
      return jpegEnd(bytes);
    case 'png':
      return pngEnd(bytes);
    case 'gif':
      return gifEnd(bytes);
    case 'webp':
      return webpEnd(bytes);
    default: {
      const unknown: never = format;
      throw new Error(`No container walker for ${String(unknown)}`);
    }
  }
}

const JPEG_EOI = 0xd9;
const JPEG_SOS = 0xda;
/** Markers without a length field: TEM, RST0–RST7 and SOI. */
const isStandaloneMarker = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);

/**
 * Follows segment lengths, so an EXIF thumbnail's own EOI inside APP1 is skipped, and scans entropy-coded
 * data after each SOS, where a 0xFF byte is always followed by 0x00 (stuffing) or an RST marker.
 */
function jpegEnd(bytes: Buffer): number | undefined {
  let pos = 2;
  while (pos + 1 < bytes.length) {
    if (bytes[pos] !== 0xff) {
      // Stray bytes between segments: resynchronise on the next marker, as libjpeg does.
      pos = bytes.indexOf(0xff, pos);
      if (pos === -1) return undefined;
      continue;
    }
    const marker = bytes[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
    } else if (marker === JPEG_EOI) {
      return pos + 2;
    } else if (isStandaloneMarker(marker)) {
      pos += 2;
    } else {
      if (pos + 4 > bytes.length) return undefined;
      const length = bytes.readUInt16BE(pos + 2);
      if (length < 2) return undefined;
      pos += 2 + length;
      if (marker === JPEG_SOS) pos = skipEntropyCodedData(bytes, pos);
    }
  }
  return undefined;
}

/** Offset of the first marker after a scan's entropy-coded data, or `bytes.length` when there is none. */
function skipEntropyCodedData(bytes: Buffer, from: number): number {
  let pos = from;
  for (;;) {
    const ff = bytes.indexOf(0xff, pos);
    if (ff === -1 || ff + 1 >= bytes.length) return bytes.length;
    const next = bytes[ff + 1] as number;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) pos = ff + 2;
    else return ff;
  }
}

const PNG_IEND = 0x49454e44; // 'IEND'

/** Chunk by chunk (length, type, data, CRC) to IEND. CRCs are left to the decoder. */
function pngEnd(bytes: Buffer): number | undefined {
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const next = pos + 12 + bytes.readUInt32BE(pos);
    if (next > bytes.length) return undefined;
    if (bytes.readUInt32BE(pos + 4) === PNG_IEND) return next;
    pos = next;
  }
  return undefined;
}

const GIF_EXTENSION = 0x21;
const GIF_IMAGE = 0x2c;
const GIF_TRAILER = 0x3b;
/** Size of a global or local colour table from its packed flags byte. */
const gifColourTableSize = (flags: number) => (flags & 0x80 ? 3 << ((flags & 0x07) + 1) : 0);

/**
 * Block by block to the trailer. Walking the blocks, rather than trusting a final 0x3B, matters: the
 * classic GIF/JavaScript polyglot appends a script that ends in `;`.
 */
function gifEnd(bytes: Buffer): number | undefined {
  if (bytes.length < 13) return undefined;
  let pos = 13 + gifColourTableSize(bytes[10] as number);
  while (pos < bytes.length) {
    const block = bytes[pos];
    if (block === GIF_TRAILER) return pos + 1;
    if (block === GIF_EXTENSION) {
      pos = skipGifSubBlocks(bytes, pos + 2);
    } else if (block === GIF_IMAGE) {
      if (pos + 10 > bytes.length) return undefined;
      // Image descriptor (10 bytes), local colour table, LZW minimum code size (1 byte), then data.
      pos = skipGifSubBlocks(bytes, pos + 10 + gifColourTableSize(bytes[pos + 9] as number) + 1);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Offset after the zero-length terminator, or past the end when the data is cut short. */
function skipGifSubBlocks(bytes: Buffer, from: number): number {
  let pos = from;
  while (pos < bytes.length) {
    const size = bytes[pos] as number;
    pos += 1 + size;
    if (size === 0) return pos;
  }
  return Number.POSITIVE_INFINITY;
}

/** The RIFF size field, checked against the chunks inside it so a cut-off last chunk is caught too. */
function webpEnd(bytes: Buffer): number | undefined {
  if (bytes.length < 12) return undefined;
  const end = 8 + bytes.readUInt32LE(4);
  if (end > bytes.length) return undefined;
  let pos = 12;
  while (pos + 8 <= end) {
    const size = bytes.readUInt32LE(pos + 4);
    pos += 8 + size + (size & 1); // chunks are padded to an even length
  }
  return pos === end ? end : undefined;
}
