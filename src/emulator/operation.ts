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
}

/**
 * A complete JSON answer. Streaming operations (ConverseStream, InvokeModelWithResponseStream) will add an
 * event-stream variant to this union, written frame by frame; `writeAnswer` switches on `kind`.
 */
export interface JsonAnswer {
  kind: 'json';
  body: unknown;
  /** Extra response headers; `x-amzn-requestid` and `content-type` are added by the glue. */
  headers: Readonly<Record<string, string>>;
}

export type OperationAnswer = JsonAnswer;

/** One row of the route table: `POST /model/{modelId}/{action}` answered by `handle`. */
export interface OperationRoute {
  operation: OperationName;
  /** The last path segment, e.g. `converse` or `invoke`. */
  action: string;
  handle(input: OperationInput): Promise<OperationAnswer>;
}
