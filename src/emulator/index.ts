/**
 * A local Amazon Bedrock Runtime for development and tests: the real AWS SDK talks to it unchanged (HTTP/2, Bedrock's
 * wire formats and errors), its answers are deterministic facts about the images sent, and faults can be injected.
 */
export { startEmulator } from './startEmulator.js';
export type { AuthScheme } from './readAuthScheme.js';
export type {
  Emulator,
  EmulatorOptions,
  ErrorFault,
  Fault,
  FaultKind,
  MidStreamErrorFault,
  OperationName,
  RecordedCall,
  SlowFault,
  StreamErrorType,
} from './types.js';
