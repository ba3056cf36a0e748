import type { FaultKind, StreamErrorType } from './types.js';

/** Every fault kind, for validating faults that arrive from JavaScript or over HTTP. */
export const faultKinds = [
  'throttle',
  'server-error',
  'unavailable',
  'validation',
  'model-timeout',
  'model-error',
  'slow',
  'not-found',
  'access-denied',
  'end-of-life',
  'mid-stream-error',
] as const satisfies readonly FaultKind[];

/** Every exception a stream can be asked to end with, for validating 'mid-stream-error' faults. */
export const streamErrorTypes = [
  'modelStreamErrorException',
  'throttlingException',
  'internalServerException',
  'serviceUnavailableException',
  'validationException',
  'modelTimeoutException',
] as const satisfies readonly StreamErrorType[];
