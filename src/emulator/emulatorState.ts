import type { FaultQueue } from './faults.js';
import type { EmulatorOptions, RecordedCall } from './types.js';

/** The mutable state one emulator instance shares between its model routes and its control endpoints. */
export interface EmulatorState {
  calls: RecordedCall[];
  faults: FaultQueue;
  latencyMs: number;
  /** Pause between text deltas of a streamed answer, unless a fault says otherwise. */
  streamChunkDelayMs: number;
  logger: EmulatorOptions['logger'];
  /** Aborted by `close()`, so answers waiting on a delay give up instead of keeping the process alive. */
  closing: AbortSignal;
}
