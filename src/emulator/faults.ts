import { BedrockError } from './bedrockError.js';
import type { BedrockErrorType } from './bedrockError.js';
import { checkFault } from './checkFault.js';
import { chunkDelayKinds, damageFaultKinds } from './faultKinds.js';
import type { DamageFault, ErrorFault, Fault } from './types.js';

/**
 * The error each failing kind answers with, worded as Bedrock words it so that code matching on messages (and people
 * reading logs) see what production would show them.
 *
 * 'end-of-life' is a 404 ResourceNotFoundException, not a ValidationException: since 2025 Bedrock answers calls to
 * retired models (Claude 2.1, Claude 3.5 Haiku, ...) with "ResourceNotFoundException: This model version has reached
 * the end of its life..." and status 404, as reported from live accounts. The ValidationException variant came from
 * models missing in a region, a different case that 'validation' with a custom message can still reproduce.
 */
export const faultErrors: Readonly<Record<ErrorFault['kind'], readonly [BedrockErrorType, string]>> = {
  throttle: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  'server-error': [
    'InternalServerException',
    'The system encountered an unexpected error during processing. Try your request again.',
  ],
  unavailable: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
  validation: ['ValidationException', 'Malformed input request, please reformat your input and try again.'],
  'model-timeout': ['ModelTimeoutException', 'Model has timed out in processing the request. Try your request again.'],
  'model-error': ['ModelErrorException', 'The model returned an error. Try your request again.'],
  'not-found': [
    'ResourceNotFoundException',
    'Could not resolve the foundation model from the provided model identifier.',
  ],
  'access-denied': ['AccessDeniedException', "You don't have access to the model with the specified model ID."],
  'end-of-life': [
    'ResourceNotFoundException',
    'This model version has reached the end of its life. Please refer to the AWS documentation for more details.',
  ],
};

/** Default delay of a 'slow' fault: long enough to notice, short enough for a test. */
const DEFAULT_SLOW_MS = 1000;

/**
 * The error a fault answers with before anything is streamed, or `undefined` for 'slow', which answers normally after
 * its delay, 'mid-stream-error', which fails inside the stream, and the kinds that damage the answer instead.
 */
export function faultError(fault: Fault): BedrockError | undefined {
  if (fault.kind === 'slow' || fault.kind === 'mid-stream-error' || isDamageFault(fault)) return undefined;
  const [errorType, message] = faultErrors[fault.kind];
  return new BedrockError(errorType, fault.message ?? message);
}

/** How long to wait before answering under this fault. */
export function faultDelayMs(fault: Fault): number {
  return fault.delayMs ?? (fault.kind === 'slow' ? DEFAULT_SLOW_MS : 0);
}

/** Queued faults, consumed first-in first-out; each entry lasts `times` calls. */
export interface FaultQueue {
  push(fault: Fault): void;
  clear(): void;
  /**
   * Consumes one use of the oldest fault that applies to this call, if any. A 'mid-stream-error' applies only to
   * streaming calls, so a Converse call between two streams does not use it up.
   */
  take(modelId: string, streaming: boolean): Fault | undefined;
  /** Faults still queued, with how many uses each has left. */
  pending(): readonly Fault[];
}

/** Creates an empty queue. Faults are checked here so a typo fails at the injection, not as a puzzling pass. */
export function createFaultQueue(): FaultQueue {
  const entries: { fault: Fault; left: number }[] = [];
  return {
    push(fault) {
      checkFault(fault);
      entries.push({ fault: { ...fault }, left: fault.times ?? 1 });
    },
    clear() {
      entries.length = 0;
    },
    take(modelId, streaming) {
      const index = entries.findIndex(
        ({ fault }) =>
          (fault.modelId === undefined || fault.modelId === modelId) &&
          (streaming || fault.kind !== 'mid-stream-error'),
      );
      if (index < 0) return undefined;
      const entry = entries[index];
      entry.left -= 1;
      if (entry.left <= 0) entries.splice(index, 1);
      return entry.fault;
    },
    pending() {
      return entries.map((e) => ({ ...e.fault, times: e.left }));
    },
  };
}

/** Whether a fault damages the answer on the way (reset, cut, hang…) rather than answering with an error. */
export function isDamageFault(fault: Fault): fault is DamageFault {
  return (damageFaultKinds as readonly string[]).includes(fault.kind);
}

/** The pause between text deltas of a streamed answer under this fault: its `chunkDelayMs`, else the emulator's. */
export function faultChunkDelayMs(fault: Fault | undefined, fallback: number): number {
  if (fault === undefined || !(chunkDelayKinds as readonly string[]).includes(fault.kind)) return fallback;
  return (fault as { chunkDelayMs?: number }).chunkDelayMs ?? fallback;
}
