import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where image bytes are kept when the operator asks for it (IMAGE_STORE). */
export interface ImageStore {
  /** Keeps the bytes under their sha256; a second put of the same image is a no-op. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  has(sha256: string): Promise<boolean>;
  get(sha256: string): Promise<Buffer | null>;
  /** Removes the bytes, if kept; used when no request refers to the image any more. */
  delete(sha256: string): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed files: `<dir>/ab/abcdef…` for sha256 `abcdef…`. Each write goes to a
 * temporary file that is renamed into place, so a reader (or a crash) never sees half
 * an image, and two servers writing the same image both end with the same bytes.
 */
export function createFileImageStore(dir: string): ImageStore {
  const pathOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('not a sha256');
    return join(dir, sha256.slice(0, 2), sha256);
  };
  const exists = async (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  return {
    async put(sha256, bytes) {
      const path = pathOf(sha256);
      if (await exists(path)) return;
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${randomUUID()}.tmp`;
      try {
        await writeFile(temporary, bytes, { flush: true });
        await rename(temporary, path);
      } finally {
        await rm(temporary, { force: true });
      }
    },
    has: (sha256) => (SHA256.test(sha256) ? exists(pathOf(sha256)) : Promise.resolve(false)),
    async get(sha256) {
      if (!SHA256.test(sha256)) return null;
      return readFile(pathOf(sha256)).catch(() => null);
    },
    async delete(sha256) {
      if (SHA256.test(sha256)) await rm(pathOf(sha256), { force: true });
    },
  };
}

/** The store used when IMAGE_STORE is off: keeps nothing. */
export const NO_IMAGE_STORE: ImageStore = Object.freeze({
  put: async () => {},
  has: async () => false,
  get: async () => null,
  delete: async () => {},
});
