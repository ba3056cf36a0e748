import type { RequestHandler } from 'express';

/** Request headers a cross-origin client may send: JSON, the API key, Apollo's CSRF preflight headers. */
const ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name';

/**
 * CORS, closed by default: with no CORS_ORIGINS no cross-origin page can read a response
 * (browsers enforce it) or send a non-simple request (the preflight gets no allowance). For an
 * origin in `allowedOrigins` the response names it, and a preflight is answered with the
 * methods and headers the API takes. Same-origin pages (the built-in page and playground)
 * need none of this.
 */
export function createCors(allowedOrigins: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin === undefined || !allowedOrigins.has(origin)) {
      if (req.method === 'OPTIONS' && origin !== undefined) {
        res.status(204).end();
        return;
      }
      return next();
    }
    res.setHeader('access-control-allow-origin', origin);
    // A refusal's Retry-After is what a client's retry logic needs.
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
