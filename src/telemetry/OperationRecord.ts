import type { TokenUsage } from '../bedrock/index.js';

/**
 * What one GraphQL operation's log line says beyond the operation itself, filled in while it
 * runs. Created per request; nothing in it is an image byte or a secret.
 */
export interface OperationRecord {
  /** The client's `x-request-id` when it is a short token, otherwise one made here; echoed in the response. */
  readonly requestId: string;
  /** Start of the request, from performance.now(). */
  readonly startedAt: number;
  model?: string;
  usage?: TokenUsage;
  /** Exact decimal string as the ledger recorded it; null when the model's price is unknown. */
  costUsd?: string | null;
  descriptionId?: string;
  /** Logged only at debug level. */
  prompt?: string;
  /**
   * The public prefix of the API key that made the request (absent in open mode): enough to tell
   * keys apart in logs, never enough to use one.
   */
  keyPrefix?: string;
}
