import { createHash, webcrypto } from 'node:crypto';
import { badInput } from '../errors.js';
import { decodeBase64Image } from './decodeBase64Image.js';
import { IMAGE_LIMITS } from './imageLimits.js';
import { normalizeImage, type NormalizedImage, type NormalizeMode } from './normalize/index.js';
import { readUpload, type UploadedFile } from './readUpload.js';
import { fetchImageUrl, type UrlFetchPolicy } from './url/index.js';

export type ImageSourceKind = 'BASE64' | 'URL' | 'UPLOAD';

/** One image as a client may send it: exactly one source is set. */
export interface ImageSource {
  readonly base64?: string | null | undefined;
  readonly url?: string | null | undefined;
  readonly upload?: Promise<UploadedFile> | UploadedFile | null | undefined;
}

/** An image that passed every check, as it will be sent, with what it was. */
export interface AcceptedImage extends NormalizedImage {
  readonly source: ImageSourceKind;
  /** Hex sha256 of the bytes sent to the model. */
  readonly sha256: string;
}

export interface IntakeOptions {
  readonly mode: NormalizeMode;
  readonly urlPolicy: UrlFetchPolicy;
  readonly maxUploadBytes: number;
  readonly signal?: AbortSignal | undefined;
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

async function bytesOf(source: ImageSource, index: number, options: IntakeOptions): Promise<[ImageSourceKind, Buffer]> {
  const set = [source.base64, source.url, source.upload].filter(given);
  if (set.length !== 1) {
    throw badInput('IMAGE_SOURCE_INVALID', `Image ${index + 1} must have exactly one source: base64, url or upload`);
  }
  if (given(source.base64)) return ['BASE64', decodeBase64Image(source.base64)];
  if (given(source.url)) {
    const fetched = await fetchImageUrl(source.url, options.urlPolicy, options.signal);
    return ['URL', fetched.bytes];
  }
  return ['UPLOAD', await readUpload(source.upload!, options.maxUploadBytes, index)];
}

/**
 * Turns the request's image inputs into checked, normalised images, in order, or
 * refuses the whole request with BAD_USER_INPUT. Nothing has been spent or stored yet.
 */
export async function intakeImages(sources: readonly ImageSource[], options: IntakeOptions): Promise<AcceptedImage[]> {
  if (sources.length === 0) throw badInput('IMAGE_REQUIRED', 'Give an image (image or images)');
  if (sources.length > IMAGE_LIMITS.maxImages) {
    throw badInput(
      'TOO_MANY_IMAGES',
      `${sources.length} images; Bedrock takes at most ${IMAGE_LIMITS.maxImages} per request`,
    );
  }
  const accepted: AcceptedImage[] = [];
  // One at a time: memory stays bounded by one image in flight, whatever a request carries.
  for (const [index, source] of sources.entries()) {
    const [kind, bytes] = await bytesOf(source, index, options);
    if (bytes.length === 0) throw badInput('IMAGE_EMPTY', `Image ${index + 1} is empty`);
    const normalized = await withImageNumber(index, () => normalizeImage(bytes, options.mode));
    accepted.push({ ...normalized, source: kind, sha256: await sha256Hex(normalized.bytes) });
  }
  return accepted;
}

/** Above this, hashing runs on libuv's thread pool (WebCrypto) rather than on the event loop. */
const HASH_OFF_THREAD_BYTES = 256 * 1024;

/**
 * Hex sha256 of what is sent. A 3.75 MB image takes ~4 ms to hash: on the event loop that is
 * a stall every other request shares, so large images are hashed off it; small ones in line,
 * where the hop to the pool would cost more than the hash.
 */
async function sha256Hex(bytes: Buffer): Promise<string> {
  if (bytes.length < HASH_OFF_THREAD_BYTES) return createHash('sha256').update(bytes).digest('hex');
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

/** Prefixes a refusal's message with the image's position, so a client knows which of 20 failed. */
async function withImageNumber<T>(index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error && 'reason' in error) error.message = `Image ${index + 1}: ${error.message}`;
    throw error;
  }
}
