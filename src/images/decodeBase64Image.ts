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
  payload = payload.replace(/\s+/g, '');
  const unpadded = payload.replace(/=+$/, '');
  if (!BASE64.test(payload) || unpadded.length % 4 === 1) {
    throw badInput('IMAGE_BASE64_INVALID', 'The image is not valid base64');
  }
  const bytes = Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length === 0) throw badInput('IMAGE_EMPTY', 'The image is empty');
  return bytes;
}
