import { badInput } from '../errors.js';

// Standard or URL-safe alphabet, optional padding; whitespace (line-wrapped base64) is ignored.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DATA_URL = /^data:([^;,]*)(;[^,]*)?,/i;

/**
 * Bytes from base64 text or a base64 `data:` URL. Node's decoder silently skips
 * invalid characters; checking first means garbage is refused, not turned into a
 * smaller, different image.
 */
export function decodeBase64Image(text: string): Buffer {
  let payload = text;
  const dataUrl = DATA_URL.exec(text);
  if (dataUrl !== null) {
    if (!/;base64$/i.test(dataUrl[2] ?? '')) {
      throw badInput('IMAGE_BASE64_INVALID', 'A data: URL image must be base64-encoded (data:image/png;base64,...)');
    }
    payload = text.slice(dataUrl[0].length);
  }
  const bytes = decodeCanonical(payload) ?? decodeChecked(payload);
  if (bytes.length === 0) throw badInput('IMAGE_EMPTY', 'The image is empty');
  return bytes;
}

/**
 * The common case, checked without a pass of regular expressions over the text (about 6 ms a megabyte, on the event
 * loop) and without encoding the bytes again to compare (11 % of the main thread's CPU at 250 KB images, most of it
 * the kernel handing over fresh pages for a copy of the text): Node's decoder skips what is not in its alphabet
 * (standard and URL-safe) and stops at a `=`, so text it decoded whole gives exactly ⌊3n/4⌋ bytes for n characters
 * before the padding, and text with anything skipped gives fewer, except when n is 4k + 1, where one character less
 * gives as many (and 4k + 1 characters are never valid base64). That holds for ASCII text only (see below). Anything
 * else (whitespace, invalid or non-ASCII characters, a `=` inside) returns undefined and takes the careful path,
 * which decides.
 */
function decodeCanonical(payload: string): Buffer | undefined {
  // Only ASCII: Node decodes a string with wider characters from each code unit's low byte, so `\u0141` would read
  // as `A` and `\u202f` (a space to the careful path) as `/`, skipping nothing. A native scan, no copy.
  if (Buffer.byteLength(payload, 'utf8') !== payload.length) return undefined;
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const characters = payload.length - padding;
  if (characters % 4 === 1) return undefined;
  const bytes = Buffer.from(payload, 'base64');
  return bytes.length === Math.floor((characters * 3) / 4) ? bytes : undefined;
}

function decodeChecked(text: string): Buffer {
  const payload = text.replace(/\s+/g, '');
  const unpadded = payload.replace(/=+$/, '');
  if (!BASE64.test(payload) || unpadded.length % 4 === 1) {
    throw badInput('IMAGE_BASE64_INVALID', 'The image is not valid base64');
  }
  return Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
