import type { RequestHandler } from 'express';
import { isAdmin, scopeOf } from '../auth/index.js';
import type { DescriptionRepository } from '../store/index.js';
import { callerOf } from './createAuthMiddleware.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * In front of `GET /images/:sha256` (after authentication): a key may fetch the bytes of an
 * image only if one of its own rows sent it. Any other image answers as one not stored, so
 * the route cannot be used to learn which images other keys sent.
 */
export function createImageAccessGuard(descriptions: DescriptionRepository): RequestHandler<{ sha256: string }> {
  return (req, res, next) => {
    const caller = callerOf(res);
    if (isAdmin(caller) || !SHA256.test(req.params.sha256)) return next();
    descriptions.findImage(req.params.sha256, scopeOf(caller)).then((image) => {
      if (image === null) res.status(404).type('text/plain').send('Image not stored');
      else next();
    }, next);
  };
}
