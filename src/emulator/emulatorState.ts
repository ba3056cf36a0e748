import type { Closing } from './createClosing.js';
import type { ImageInspector } from './createImageInspector.js';
import type { FaultQueue } from './faults.js';
import type { EmulatorOptions, RecordedCall } from './types.js';

/** The mutable state one emulator instance shares between its model routes and its control endpoints. */
export interface EmulatorState {
  calls: RecordedCall[];
  /** How calls are recorded: at most `maxCalls` (the most recent), with or without the images' base64 data. */
  recording: { maxCalls: number; imageData: boolean };
  faults: FaultQueue;
  /** Image checks and facts, remembered per distinct image so a repeated image is not decoded again. */
  images: ImageInspector;
  latencyMs: number;
  /** Pause between text deltas of a streamed answer, unless a fault says otherwise. */
  streamChunkDelayMs: number;
  logger: EmulatorOptions['logger'];
  /** Closed by `close()`, so answers waiting on a delay give up instead of keeping the process alive. */
  closing: Closing;
}
