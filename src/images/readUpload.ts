import type { Readable } from 'node:stream';
import { badInput } from '../errors.js';

/** The part of a graphql-upload FileUpload that intake needs; the GraphQL layer supplies it. */
export interface UploadedFile {
  createReadStream(): Readable;
}

/**
 * Reads one uploaded file into memory, stopping as soon as it passes `maxBytes` rather
 * than buffering whatever a client chooses to send.
 */
export async function readUpload(
  upload: Promise<UploadedFile> | UploadedFile,
  maxBytes: number,
  index: number,
): Promise<Buffer> {
  const failed = (cause: unknown) => badInput('IMAGE_UPLOAD_FAILED', `Upload ${index + 1} could not be read`, cause);
  let stream: Readable;
  try {
    stream = (await upload).createReadStream();
  } catch (error) {
    throw failed(error);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        stream.destroy();
        throw badInput('IMAGE_TOO_LARGE', `Upload ${index + 1} is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof Error && 'reason' in error && error.reason === 'IMAGE_TOO_LARGE') throw error;
    throw failed(error);
  }
  return Buffer.concat(chunks, size);
}
