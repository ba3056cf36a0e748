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
 * The common case, checked without a pass of regular expressions over the text (about 6 ms
 * a megabyte, on the event loop): decode, encode again, and compare. Equal means the text
 * was canonical standard base64, padded or not, so nothing was skipped. Anything else
 * (URL-safe, line-wrapped, or invalid) returns undefined and takes the careful path.
 */
function decodeCanonical(payload: string): Buffer | undefined {
  const bytes = Buffer.from(payload, 'base64');
  const again = bytes.toString('base64');
  if (again === payload) return bytes;
  const padding = again.endsWith('==') ? 2 : again.endsWith('=') ? 1 : 0;
  return padding > 0 && again.length - padding === payload.length && again.startsWith(payload) ? bytes : undefined;
}

function decodeChecked(text: string): Buffer {
  const payload = text.replace(/\s+/g, '');
  const unpadded = payload.replace(/=+$/, '');
  if (!BASE64.test(payload) || unpadded.length % 4 === 1) {
    throw badInput('IMAGE_BASE64_INVALID', 'The image is not valid base64');
  }
  return Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
