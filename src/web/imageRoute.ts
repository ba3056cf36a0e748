import type { RequestHandler } from 'express';
import { sniffImageFormat } from '../images/index.js';

/** Where the router reads stored image bytes: `get` resolves null for an image it does not keep. */
export interface WebImageStore {
  get(sha256: string): Promise<Buffer | null>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * `GET /images/:sha256`: the bytes sent to the model, when IMAGE_STORE keeps them, for the
 * page's thumbnails. The content type comes from the bytes, never from what a client
 * declared, and the response may not be sniffed or framed into anything else.
 */
export function imageRoute(store: WebImageStore): RequestHandler<{ sha256: string }> {
  return async (req, res, next) => {
    const { sha256 } = req.params;
    try {
      const bytes = SHA256.test(sha256) ? await store.get(sha256) : null;
      const format = bytes === null ? undefined : sniffImageFormat(bytes);
      if (bytes === null || format === undefined) {
        res.status(404).type('text/plain').send('Image not stored');
        return;
      }
      res
        .set({
          'Content-Type': `image/${format}`,
          // Content-addressed: the bytes behind a sha256 never change.
          'Cache-Control': 'private, max-age=31536000, immutable',
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'; sandbox",
        })
        .send(bytes);
    } catch (error) {
      next(error);
    }
  };
}
