import type { RequestHandler, Response } from 'express';
import { OPEN_CALLER, type Authenticator, type Caller, type RateLimiter } from '../auth/index.js';
import { isAppError } from '../errors.js';
import { sendAppError } from './sendAppError.js';

/** The caller an authenticated request carries from the middleware to its handler. */
export function callerOf(res: Response): Caller {
  return (res.locals.caller as Caller | undefined) ?? OPEN_CALLER;
}

/**
 * Authenticates a request from its `Authorization: Bearer` header and counts it against the
 * key's rate limit, before its body is read: an unknown key costs nothing but the lookup.
 * Refusals are answered here (401 with WWW-Authenticate, 429 with Retry-After).
 */
export function createAuthMiddleware(authenticator: Authenticator, rateLimiter: RateLimiter): RequestHandler {
  return (req, res, next) => {
    authenticator
      .authenticate(req.headers.authorization)
      .then(async (caller) => {
        await rateLimiter.consume(caller);
        res.locals.caller = caller;
        next();
      })
      .catch((error: unknown) => {
        if (!isAppError(error)) return next(error);
        if (error.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
        sendAppError(res, error);
      });
  };
}
