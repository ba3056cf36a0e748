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

/**
 * How a stream is to fail after `afterChunks` text deltas: an exception event of `errorType`, a reset of the stream,
 * half of the next event's frame and a clean end, or silence until the client leaves.
 */
export type StreamFailure =
  | { kind: 'exception'; afterChunks: number; errorType: StreamErrorType; message: string }
  | { kind: 'reset' | 'truncate' | 'hang'; afterChunks: number };

/**
 * The failure a fault asks of a stream, with its defaults filled in: 'mid-stream-error', 'reset-mid-body',
 * 'truncated-body', and 'hang' with `afterChunks` (without, it hangs before the stream starts); `undefined` for any
 * other fault.
 */
export function streamFailure(fault: Fault | undefined): StreamFailure | undefined {
  switch (fault?.kind) {
    case 'mid-stream-error': {
      const errorType = fault.errorType ?? 'modelStreamErrorException';
      return {
        kind: 'exception',
        afterChunks: fault.afterChunks ?? DEFAULT_AFTER_CHUNKS,
        errorType,
        message: fault.message ?? streamErrorMessages[errorType],
      };
    }
    case 'reset-mid-body':
      return { kind: 'reset', afterChunks: fault.afterChunks ?? DEFAULT_AFTER_CHUNKS };
    case 'truncated-body':
      return { kind: 'truncate', afterChunks: fault.afterChunks ?? DEFAULT_AFTER_CHUNKS };
    case 'hang':
      return fault.afterChunks === undefined ? undefined : { kind: 'hang', afterChunks: fault.afterChunks };
    default:
      return undefined;
  }
}
