import type { ErrorRequestHandler } from 'express';
import { AppError } from '../errors.js';
import { IMAGE_LIMITS } from '../images/index.js';
import { multipartError } from './multipartError.js';
import { sendAppError } from './sendAppError.js';

/** An error from the HTTP layer (body parser, upload parser) as the registry's error. */
export function httpError(
  error: { status?: number; type?: string; message?: string; expose?: boolean },
  maxBodyBytes: number,
): AppError {
  const fromUpload = multipartError(error, IMAGE_LIMITS.maxImages);
  if (fromUpload !== undefined) return fromUpload;
  const status = error.status ?? 500;
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBodyBytes} bytes`);
  if (status < 500) return new AppError('BAD_REQUEST', 'Malformed request body');
  return new AppError('INTERNAL_SERVER_ERROR', 'Internal server error', { cause: error });
}

/** Body-parser failures (too large, malformed JSON) answered as JSON GraphQL errors. */
export function createHttpErrorHandler(maxBodyBytes: number): ErrorRequestHandler {
  return (error: { status?: number; type?: string }, _req, res, next) => {
    if (res.headersSent) return next(error);
    sendAppError(res, httpError(error, maxBodyBytes));
  };
}
