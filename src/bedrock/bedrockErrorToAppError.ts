import { AppError } from '../errors.js';
import { currentVisionModels } from './modelCatalog.js';

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
// Bedrock words a retired or unusable model in several ways, depending on API and age.
const MODEL_REFUSAL =
  /end of (its )?life|legacy|no longer (available|supported)|access to the model|model identifier is invalid|model.*not (found|supported|available)|isn.t supported|inference profile/i;

function suggestion(modelId: string): string {
  const names = currentVisionModels()
    .map((m) => `${m.name} (${m.id})`)
    .join(', ');
  return `Bedrock refused model ${modelId}. Pick a current vision model enabled for your account, e.g. ${names}.`;
}

/**
 * Wraps an AWS SDK failure into the public codes at the boundary, keeping the SDK
 * error as `cause` for the log. Bedrock's own message is kept in the text because it
 * is what an operator needs (it never echoes request content or credentials).
 */
export function bedrockErrorToAppError(error: unknown, modelId: string): AppError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const detail = `${name}: ${e.message ?? String(error)}`;
  const options = { cause: error };
  if (THROTTLED.has(name)) {
    return new AppError('UPSTREAM_THROTTLED', `Bedrock throttled the request after retries (${detail})`, options);
  }
  if (TIMED_OUT.has(name)) {
    return new AppError('UPSTREAM_TIMEOUT', `Bedrock did not answer in time (${detail})`, options);
  }
  const modelRefused =
    name === 'ResourceNotFoundException' ||
    (name === 'AccessDeniedException' && /model/i.test(e.message ?? '')) ||
    (name === 'ValidationException' && MODEL_REFUSAL.test(e.message ?? ''));
  if (modelRefused) {
    return new AppError('UPSTREAM_MODEL_UNAVAILABLE', `${suggestion(modelId)} Bedrock said: ${detail}`, options);
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
