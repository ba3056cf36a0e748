import { faultErrors } from './faults.js';
import type { Fault, StreamErrorType } from './types.js';

/** Two deltas: enough for a client to have shown some text before the failure, as happens in production. */
export const DEFAULT_AFTER_CHUNKS = 2;

/**
 * Messages of the exception events. Those that also exist as HTTP errors reuse the HTTP wording; the model stream
 * error's is the emulator's own, as the service's depends on what went wrong inside the model.
 */
const streamErrorMessages: Readonly<Record<StreamErrorType, string>> = {
  modelStreamErrorException: 'The model stream was interrupted by an error. Try your request again.',
  throttlingException: faultErrors.throttle[1],
  internalServerException: faultErrors['server-error'][1],
  serviceUnavailableException: faultErrors.unavailable[1],
  validationException: faultErrors.validation[1],
  modelTimeoutException: faultErrors['model-timeout'][1],
};

/** How a stream is to fail: after `afterChunks` text deltas, an exception event of `errorType`. */
export interface StreamFailure {
  afterChunks: number;
  errorType: StreamErrorType;
  message: string;
}

/** The failure a 'mid-stream-error' fault asks for, with its defaults filled in; `undefined` for any other fault. */
export function streamFailure(fault: Fault | undefined): StreamFailure | undefined {
  if (fault?.kind !== 'mid-stream-error') return undefined;
  const errorType = fault.errorType ?? 'modelStreamErrorException';
  return {
    afterChunks: fault.afterChunks ?? DEFAULT_AFTER_CHUNKS,
    errorType,
    message: fault.message ?? streamErrorMessages[errorType],
  };
}
