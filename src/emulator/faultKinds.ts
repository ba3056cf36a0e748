import type { DamageFaultKind, FaultKind, StreamErrorType } from './types.js';

/** The kinds that damage an answer on the way instead of answering with a Bedrock error. */
export const damageFaultKinds = [
  'reset-before-answer',
  'reset-mid-body',
  'truncated-body',
  'non-json-body',
  'no-usage',
  'hang',
  'control-characters',
] as const satisfies readonly DamageFaultKind[];

/** The kinds whose `afterChunks` says after how many deltas a stream goes wrong. */
export const afterChunksKinds = ['mid-stream-error', 'reset-mid-body', 'truncated-body', 'hang'] as const;

/** The kinds that answer 200 with a stream that can be paced with `chunkDelayMs`. */
export const chunkDelayKinds = [
  'slow',
  'mid-stream-error',
  'reset-mid-body',
  'truncated-body',
  'no-usage',
  'hang',
  'control-characters',
] as const;

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
  ...damageFaultKinds,
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
