import type { RequestHandler, Response } from 'express';
import type { Authenticator, Caller, RateLimiter } from '../auth/index.js';
import { isAppError } from '../errors.js';
import { sendAppError } from './sendAppError.js';

/**
 * The caller an authenticated request carries from the middleware to its handler. A handler
 * mounted without the middleware has none: that is a wiring fault, and it fails closed (an
 * error, not the open-mode caller that may see every row).
 */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (caller === undefined)
    throw new Error('No authenticated caller: this route is mounted without the auth middleware');
  return caller;
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
