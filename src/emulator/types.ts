/**
 * Public types of the emulator. They live apart from `startEmulator` so that tests and tools can name them without
 * pulling in the server.
 */

import type { AuthScheme } from './readAuthScheme.js';

/** Options for {@link startEmulator}. Everything has a default so `startEmulator()` just works in a test. */
export interface EmulatorOptions {
  /** Interface to listen on; default `127.0.0.1` so nothing outside the machine can reach a development emulator. */
  host?: string;
  /** TCP port; `0` (the default) picks a free one, which lets tests run in parallel. */
  port?: number;
  /** Delay added before every model answer (errors included), to make client timeouts and latency reporting testable. */
  latencyMs?: number;
  /**
   * Pause between two text deltas of a streamed answer (default 10), so a client sees text arrive over time as it
   * does from a real model; a fault's `chunkDelayMs` overrides it for one call.
   */
  streamChunkDelayMs?: number;
  /** Receives one line per call; pino's `info(obj, msg)` fits. */
  logger?: { info(...args: unknown[]): void };
  /**
   * How many calls `calls` keeps: the most recent, the oldest dropped first, so an emulator that serves a soak for
   * hours keeps bounded memory. Default 1 000, more than any test makes between two `resetCalls()`; `0` records
   * nothing, `Infinity` everything.
   */
  maxRecordedCalls?: number;
  /**
   * Whether recorded calls keep the images' base64 data (default `true`: tests assert on exactly what was sent).
   * With `false`, each image's data in `body` becomes a note of its length, `rawBody` is that body as JSON (or, for a
   * body that is not JSON, its first 1 024 characters), and a record costs hundreds of bytes instead of twice the
   * images' size.
   */
  recordImageData?: boolean;
}

/** The failures a test can ask for; each maps to the status and error type Bedrock itself sends. */
export type FaultKind =
  | 'throttle'
  | 'server-error'
  | 'unavailable'
  | 'validation'
  | 'model-timeout'
  | 'model-error'
  | 'slow'
  | 'not-found'
  | 'access-denied'
  | 'end-of-life'
  | 'mid-stream-error'
  | DamageFaultKind;

/**
 * Answers that go wrong on the way rather than with an error Bedrock sends: the model ran (and Bedrock billed it) but
 * the client gets a reset, a cut or foreign body, an answer without usage, nothing at all, or text full of control
 * characters. See {@link DamageFault}.
 */
export type DamageFaultKind =
  | 'reset-before-answer'
  | 'reset-mid-body'
  | 'truncated-body'
  | 'non-json-body'
  | 'no-usage'
  | 'hang'
  | 'control-characters';

/**
 * The exceptions a stream can end with, spelled as the `:exception-type` of the event (the SDK's union member name).
 * ConverseStream's union has no `modelTimeoutException`; InvokeModelWithResponseStream's has all six.
 */
export type StreamErrorType =
  | 'modelStreamErrorException'
  | 'throttlingException'
  | 'internalServerException'
  | 'serviceUnavailableException'
  | 'validationException'
  | 'modelTimeoutException';

/** What every fault may say. */
interface FaultBase {
  /** How many calls it affects; default 1; `Infinity` keeps it until `clearFaults()`. */
  times?: number;
  /** Wait this long before answering; the point of `'slow'` (default 1000 ms there), 0 for the others. */
  delayMs?: number;
  /** Replaces Bedrock's usual message for this kind (for `'mid-stream-error'`, the exception event's message). */
  message?: string;
  /** Only calls for this model id consume the fault; others pass it by. */
  modelId?: string;
}

/** A fault answered with an HTTP error before anything is streamed. */
export interface ErrorFault extends FaultBase {
  kind: Exclude<FaultKind, 'slow' | 'mid-stream-error' | DamageFaultKind>;
}

/** A call answered normally, late; a streamed answer can also be paced more slowly. */
export interface SlowFault extends FaultBase {
  kind: 'slow';
  /** Pause between text deltas for this call, in place of `streamChunkDelayMs`. */
  chunkDelayMs?: number;
}

/**
 * A stream that starts well and then fails: after `afterChunks` text deltas (default 2; fewer if the text has fewer)
 * the emulator sends an exception event and ends the stream. Only streaming calls consume it; others pass it by.
 */
export interface MidStreamErrorFault extends FaultBase {
  kind: 'mid-stream-error';
  afterChunks?: number;
  /** Default `'modelStreamErrorException'`. */
  errorType?: StreamErrorType;
  /** Pause between text deltas for this call, in place of `streamChunkDelayMs`. */
  chunkDelayMs?: number;
}

/**
 * An answer damaged on the way (every operation, streamed or not):
 * - `'reset-before-answer'`: the stream (HTTP/2 RST_STREAM) or connection (HTTP/1.1, TCP RST) is reset before any
 *   status is sent; recorded with status 0.
 * - `'reset-mid-body'`: status, headers and half of the JSON body are sent, then the reset; a stream is reset after
 *   `afterChunks` deltas (default 2).
 * - `'truncated-body'`: half of the JSON body, with a `content-length` that matches it, so the transport ends cleanly
 *   and only the parser notices; a stream sends half of the next event frame after `afterChunks` deltas, then ends.
 * - `'non-json-body'`: a 200 whose body is an HTML page, as a proxy in the way might send.
 * - `'no-usage'`: the answer without its usage: no `usage` in Converse or the Messages body, no token-count headers,
 *   no usage in ConverseStream's `metadata`, Anthropic's `message_start`/`message_delta` or the invocation metrics.
 * - `'hang'`: no answer at all, until the client goes away or the emulator closes (recorded with status 0 and
 *   `cancelled`); with `afterChunks`, a stream starts and falls silent after that many deltas.
 * - `'control-characters'`: the text carries C0 and C1 control characters, NUL and ESC included ({@link
 *   CONTROL_CHARACTERS}); usage counts them.
 */
export interface DamageFault extends FaultBase {
  kind: DamageFaultKind;
  /** Streams only: text deltas sent before the damage (`'reset-mid-body'`, `'truncated-body'`, `'hang'`). */
  afterChunks?: number;
  /** Pause between text deltas for this call, in place of `streamChunkDelayMs`. */
  chunkDelayMs?: number;
}

/** A failure queued for the next calls; see `injectFault`. */
export type Fault = ErrorFault | SlowFault | MidStreamErrorFault | DamageFault;

/** Model operations the emulator answers. */
export type OperationName = 'Converse' | 'InvokeModel' | 'ConverseStream' | 'InvokeModelWithResponseStream';

/** One model call as the emulator saw it, kept so tests can assert on what the client really sent. */
export interface RecordedCall {
  operation: OperationName;
  /** URL-decoded, e.g. `anthropic.claude-3-sonnet-20240229-v1:0`. */
  modelId: string;
  /** The parsed JSON body, or `undefined` when it was not JSON; image data left out unless `recordImageData`. */
  body: unknown;
  /** The body's text as received; see `recordImageData` for what is kept without image data. */
  rawBody: string;
  /** The `x-amzn-requestid` the emulator answered with, equal to the SDK's `$metadata.requestId`. */
  requestId: string;
  /** The HTTP status answered, so faulted and refused calls are visible too; 0 when none was ('hang', a reset). */
  status: number;
  /** How the call was authenticated: SigV4, a Bedrock API key (`Authorization: Bearer`), or not at all. */
  auth: AuthScheme;
  /**
   * Streamed answers only: text deltas written so far. It grows while the stream is written, so a test can watch a
   * stream in progress.
   */
  chunksSent?: number;
  /**
   * Streamed answers and calls under a `'hang'` fault: `true` when the client went away (abort, reset stream, closed
   * connection) or the emulator closed before the answer ended, `false` once the emulator ended it itself (completed,
   * failed by a mid-stream error, reset or cut by a fault), absent while it is still being written.
   */
  cancelled?: boolean;
}

/** A running emulator. */
export interface Emulator {
  /** `http://host:port`, ready for the SDK's `endpoint` option or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`. */
  url: string;
  port: number;
  /**
   * Model calls in the order they were answered, including those answered with a fault or a validation error: the
   * last `maxRecordedCalls` of them.
   */
  readonly calls: readonly RecordedCall[];
  /** Queues a fault; faults are consumed first-in first-out, one per call. */
  injectFault(fault: Fault): void;
  clearFaults(): void;
  resetCalls(): void;
  /** Stops listening and drops open connections, so a test run never hangs on a kept-alive HTTP/2 session. */
  close(): Promise<void>;
}
