import { AppError } from '../errors.js';
import { DEFAULT_MODEL_CATALOG, type ModelCatalog } from './modelCatalog.js';
import { classifyModelRefusal, modelRefusalMessage } from './modelRefusal.js';

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const THROTTLED = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'ModelNotReadyException',
  'TooManyRequestsException',
]);
const TIMED_OUT = new Set(['ModelTimeoutException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** What the request's AbortSignal produces: the client went away, not Bedrock failing. */
export function cancelledError(cause?: unknown): AppError {
  return new AppError('CANCELLED', 'The client cancelled the request', cause === undefined ? undefined : { cause });
}

/**
 * Wraps an AWS SDK failure into the public codes at the boundary, keeping the SDK
 * error as `cause` for the log. Bedrock's own message is kept in the text because it
 * is what an operator needs (it never echoes request content or credentials). A refused
 * model's message names the current models of `catalog`, so an override file's models
 * are suggested too.
 */
export function bedrockErrorToAppError(
  error: unknown,
  modelId: string,
  catalog: ModelCatalog = DEFAULT_MODEL_CATALOG,
): AppError {
  if (error instanceof AppError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const detail = `${name}: ${e.message ?? String(error)}`;
  const options = { cause: error };
  if (name === 'AbortError') return cancelledError(error);
  if (THROTTLED.has(name)) {
    return new AppError('UPSTREAM_THROTTLED', `Bedrock throttled the request after retries (${detail})`, options);
  }
  if (TIMED_OUT.has(name)) {
    return new AppError('UPSTREAM_TIMEOUT', `Bedrock did not answer in time (${detail})`, options);
  }
  const refusal = classifyModelRefusal(name, e.message ?? '');
  if (refusal !== undefined) {
    return new AppError(
      'UPSTREAM_MODEL_UNAVAILABLE',
      `${modelRefusalMessage(refusal, modelId, catalog)} Bedrock said: ${detail}`,
      options,
    );
  }
  if (
    name === 'CredentialsProviderError' ||
    name === 'UnrecognizedClientException' ||
    name === 'ExpiredTokenException'
  ) {
    return new AppError('UPSTREAM_ERROR', `Bedrock rejected or could not find AWS credentials (${detail})`, options);
  }
  return new AppError('UPSTREAM_ERROR', `Bedrock call failed (${detail})`, options);
}
