import type { BedrockApi } from '../bedrock/index.js';
import type { DescriptionStatus } from './DescriptionRecord.js';

/** Ledger filters; every field is optional and they combine with AND. */
export interface HistoryFilter {
  readonly createdAfter?: Date | undefined;
  readonly createdBefore?: Date | undefined;
  readonly status?: readonly DescriptionStatus[] | undefined;
  readonly modelId?: readonly string[] | undefined;
  readonly api?: readonly BedrockApi[] | undefined;
  /** Case-insensitive substring of the prompt, system prompt or description. */
  readonly search?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly imageSha256?: string | undefined;
  readonly clientRequestId?: string | undefined;
}

/** Position after which a page starts, in the newest-first (createdAt, id) order. */
export interface HistoryKey {
  readonly createdAt: Date;
  readonly id: string;
}
