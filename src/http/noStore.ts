import type { RequestHandler } from 'express';

/**
 * Every answer on /graphql and the export is the caller's own data, or a refusal of it, and fresh at that moment (a
 * GET query's included): no cache (browser, proxy, CDN) may keep it. Set before anything else answers.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};
