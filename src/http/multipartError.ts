import { AppError, badInput } from '../errors.js';

/** What graphql-upload's refusals carry (http-errors). */
interface UploadParserError {
  readonly status?: number;
  readonly message?: string;
  readonly expose?: boolean;
}

/**
 * A refusal by graphql-upload's multipart parser as the registry's error, with a message that
 * says what was wrong: the 21-file case used to read "Request body is larger than … bytes".
 * graphql-upload checks the `operations` and `map` fields before any file part is read, so
 * these refusals come before anything is spooled. Undefined for errors that are not its.
 */
export function multipartError(error: UploadParserError, maxImages: number): AppError | undefined {
  const message = error.message ?? '';
  if (error.expose !== true || error.status === undefined || error.status >= 500) return undefined;
  if (/max file uploads exceeded/.test(message)) {
    return badInput('TOO_MANY_IMAGES', `At most ${maxImages} files can be uploaded in one request`);
  }
  if (/multipart field value exceeds/.test(message)) {
    return new AppError('PAYLOAD_TOO_LARGE', message.replace(/[‘’]/g, "'"));
  }
  if (/multipart|File missing/i.test(message)) return new AppError('BAD_REQUEST', message.replace(/[‘’]/g, "'"));
  return undefined;
}
