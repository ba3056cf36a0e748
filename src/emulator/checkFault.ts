import { afterChunksKinds, chunkDelayKinds, faultKinds, streamErrorTypes } from './faultKinds.js';
import type { Fault } from './types.js';

/**
 * Refuses a fault that could not mean what its author meant: an unknown kind, a bad count or delay, or a stream option
 * on a kind that never streams. JavaScript callers and the HTTP control endpoint bypass the type of `Fault`, and a
 * fault that silently does nothing makes a test pass for the wrong reason.
 */
export function checkFault(fault: Fault): void {
  if (!(faultKinds as readonly string[]).includes(fault.kind)) {
    throw new TypeError(`Unknown fault kind: ${String(fault.kind)}`);
  }
  const times = fault.times ?? 1;
  if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
    throw new TypeError(`Fault times must be a positive integer or Infinity, got ${times}`);
  }
  checkNonNegative(fault.delayMs, 'delayMs');
  const extra = fault as Partial<Record<'afterChunks' | 'errorType' | 'chunkDelayMs', unknown>>;
  if (fault.kind !== 'mid-stream-error' && extra.errorType !== undefined) {
    throw new TypeError(`Fault errorType applies only to 'mid-stream-error' faults`);
  }
  checkApplies(fault.kind, extra.afterChunks, 'afterChunks', afterChunksKinds);
  checkApplies(fault.kind, extra.chunkDelayMs, 'chunkDelayMs', chunkDelayKinds);
  checkNonNegative(extra.chunkDelayMs, 'chunkDelayMs');
  const { afterChunks, errorType } = extra;
  if (afterChunks !== undefined && !(Number.isInteger(afterChunks) && (afterChunks as number) >= 0)) {
    throw new TypeError(`Fault afterChunks must be a non-negative integer, got ${String(afterChunks)}`);
  }
  if (errorType !== undefined && !(streamErrorTypes as readonly unknown[]).includes(errorType)) {
    throw new TypeError(`Fault errorType must be one of ${streamErrorTypes.join(', ')}, got ${String(errorType)}`);
  }
}

function checkApplies(kind: string, value: unknown, name: string, kinds: readonly string[]): void {
  if (value !== undefined && !kinds.includes(kind)) {
    throw new TypeError(`Fault ${name} applies only to ${kinds.map((k) => `'${k}'`).join(', ')} faults`);
  }
}

function checkNonNegative(value: unknown, name: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new TypeError(`Fault ${name} must be a non-negative number, got ${String(value)}`);
  }
}
