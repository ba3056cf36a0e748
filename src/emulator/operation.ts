import type { ImageInspector } from './createImageInspector.js';
import type { OperationName } from './types.js';

/** What an operation gets once routing, fault injection and the body parse are done. */
export interface OperationInput {
  /** URL-decoded model id or ARN. */
  modelId: string;
  /** Parsed JSON body; the glue refuses bodies that are not JSON before an operation runs. */
  body: unknown;
  requestId: string;
  /** `Date.now()` when the request arrived, for the latency each operation reports. */
  startedAt: number;
  /** The emulator's image checks, which remember the images they have seen. */
  images: ImageInspector;
  /** Changes the model's text before it is measured, for a fault that damages the text itself. */
  rewriteText?: ((text: string) => string) | undefined;
}

/** A complete JSON answer; `writeAnswer` switches on `kind`. */
export interface JsonAnswer {
  kind: 'json';
  body: unknown;
  /** Extra response headers; `x-amzn-requestid` and `content-type` are added by the glue. */
  headers: Readonly<Record<string, string>>;
}

/** One event of an AWS event stream: its `:event-type` header and its JSON payload. */
export interface StreamEvent {
  eventType: string;
  payload: Readonly<Record<string, unknown>>;
}

/** When the stream's first event was written, for the first-byte latency Bedrock reports at the end. */
export interface StreamTiming {
  firstEventAt: number;
}

/**
 * An answer streamed as AWS event-stream messages, written one by one as they are produced. The text deltas are
 * apart from what surrounds them because they are what is paced, counted in `chunksSent`, and interrupted by a
 * mid-stream error.
 */
export interface EventStreamAnswer {
  kind: 'event-stream';
  /** Extra response headers; `x-amzn-requestid` and `content-type` are added by the glue. */
  headers: Readonly<Record<string, string>>;
  /** Events before the text, e.g. `messageStart`. */
  opening: readonly StreamEvent[];
  /** One event per chunk of text, in order. */
  deltas: readonly StreamEvent[];
  /** Events after the text; built when they are written, so the latencies they report are measured then. */
  ending(timing: StreamTiming): readonly StreamEvent[];
}

export type OperationAnswer = JsonAnswer | EventStreamAnswer;

/** One row of the route table: `POST /model/{modelId}/{action}` answered by `handle`. */
export interface OperationRoute {
  operation: OperationName;
  /** The last path segment, e.g. `converse` or `invoke`. */
  action: string;
  /** Whether it answers with an event stream; only those calls consume a 'mid-stream-error' fault. */
  streams: boolean;
  handle(input: OperationInput): Promise<OperationAnswer>;
}
