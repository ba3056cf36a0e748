import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { documentSizeError } from '../graphql/index.js';
import { sendAppError } from './sendAppError.js';

/**
 * Refuses a GraphQL document over its byte cap before Apollo parses it, for JSON and
 * multipart bodies (`query`, or each operation of a batch) and GET (`?query=`).
 */
export const refuseLargeDocument: RequestHandler = (req, res, next) => {
  const body: unknown = req.body;
  const operations = Array.isArray(body) ? body : [body, req.query];
  for (const operation of operations) {
    const query: unknown = (operation as { query?: unknown } | null | undefined)?.query;
    if (typeof query !== 'string') continue;
    const error = documentSizeError(query);
    if (error !== undefined) {
      sendAppError(res, new AppError('GRAPHQL_PARSE_FAILED', error.message));
      return;
    }
  }
  next();
};
