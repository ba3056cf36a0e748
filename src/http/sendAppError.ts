import type { ServerResponse } from 'node:http';
import { errorExtensions, httpStatusOf, type AppError } from '../errors.js';

/**
 * Answers a request that an AppError ends before any GraphQL runs (a refused body, an
 * overload, a bad export parameter): the registry's status, Retry-After when the error has
 * one, and the body a GraphQL client expects, with the same extensions as over GraphQL.
 */
export function sendAppError(res: ServerResponse, error: AppError): void {
  const body = JSON.stringify({ errors: [{ message: error.message, extensions: errorExtensions(error) }] });
  res.statusCode = httpStatusOf(error.code);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  if (error.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(error.retryAfterSeconds));
  res.end(body);
}
