import type {
  InferenceProvider,
  InferenceSettings,
  ModelAttempt,
  TokenCounts,
  UnitPrices,
  VisionUsage,
} from '../bedrock/index.js';

export type DescriptionStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** An image as stored once per sha256: what was sent to the model. */
export interface ImageRecord {
  readonly sha256: string;
  readonly mediaType: string;
  readonly byteSize: number;
  readonly width: number;
  readonly height: number;
  readonly createdAt: Date;
}

export type ImageSourceKind = 'BASE64' | 'URL' | 'UPLOAD';

/** An image as one request used it: what was sent, how it arrived and what it was before normalisation. */
export interface RequestImageRecord extends Omit<ImageRecord, 'createdAt'> {
  /** Null for rows written before sources were recorded. */
  readonly source: ImageSourceKind | null;
  readonly original: {
    readonly mediaType: string;
    readonly width: number;
    readonly height: number;
    readonly byteSize: number;
  };
}

/** What the use case hands over for each image of a new request. */
export interface NewRequestImage {
  readonly sha256: string;
  readonly mediaType: string;
  readonly byteSize: number;
  readonly width: number;
  readonly height: number;
  readonly source: ImageSourceKind;
  readonly original: {
    readonly format: string;
    readonly width: number;
    readonly height: number;
    readonly byteSize: number;
  };
}

/** One model call attempt as the ledger keeps it, with what it cost (null unless billed with known usage). */
export interface LedgerAttempt extends ModelAttempt {
  readonly costUsd: string | null;
  /**
   * The run that made it (absent on rows from before runs): a run's attempts reach its row once,
   * by its completion or, when a retry overtook it, added to the row (see completeRun).
   */
  readonly run?: number | undefined;
}

/** What every row has, whatever its status: the request's settings as it was asked, and its images. */
interface DescriptionCommon extends InferenceSettings {
  readonly id: string;
  /** Who answered (or was asked); null for rows written before the provider was recorded. */
  readonly provider: InferenceProvider | null;
  /** Upper bound computed before the call; null when the model is not in the catalog. */
  readonly estimatedCostUsd: string | null;
  /** What the row was charged per million tokens; null when the model was not in the catalog (or, for an old row, not known). */
  readonly unitPrices: UnitPrices | null;
  /** Input tokens estimated before the call; null for rows from before estimates were kept. */
  readonly estimatedInputTokens: number | null;
  /** Pixels of the images as sent (width × height summed); null for rows from before they were kept. */
  readonly imagePixels: number | null;
  /** The API key that made the request (OPEN_MODE_KEY_ID in open mode). */
  readonly apiKeyId: string;
  readonly clientRequestId?: string | undefined;
  readonly requestHash: string;
  readonly createdAt: Date;
  /** In the order they were sent to the model. */
  readonly images: readonly RequestImageRecord[];
  /** Every model call attempt so far, in order (earlier attempts of a retried request included). */
  readonly attempts: readonly LedgerAttempt[];
  /** Which run of the request this is: 1, and one more each time a retry reopens the row. */
  readonly run: number;
}

export interface PendingDescription extends DescriptionCommon {
  readonly status: 'PENDING';
}

export interface SucceededDescription extends DescriptionCommon {
  readonly status: 'SUCCEEDED';
  readonly text: string;
  readonly stopReason: string | null;
  /** Summed over the billed attempts; null when Bedrock did not report it (usageKnown is then false). */
  readonly usage: VisionUsage | null;
  /** Exact decimal string, summed over the billed attempts; null when the model is not in the catalog or usage is unknown. */
  readonly costUsd: string | null;
  /** False when something billed did not report its usage: costUsd is then unknown, not free. */
  readonly usageKnown: boolean;
  /** Served from the exact-request cache: the row whose answer this repeats (it cost nothing). */
  readonly cachedFromId: string | null;
  /** What a cached row saved: its source's cost. */
  readonly savedUsd: string | null;
  readonly latencyMs: number;
  readonly modelLatencyMs: number | null;
  readonly bedrockRequestId: string | null;
  readonly completedAt: Date;
}

export interface FailedDescription extends DescriptionCommon {
  readonly status: 'FAILED';
  readonly error: { readonly code: string; readonly message: string };
  /** What billed attempts reported (a damaged answer keeps its usage); null when not all of it is known. */
  readonly usage: VisionUsage | null;
  /** What the billed attempts cost; null when nothing was billed, or what was billed has no known usage. */
  readonly costUsd: string | null;
  readonly usageKnown: boolean;
  /** Text a stream delivered before it failed or was cancelled; null otherwise. */
  readonly partialText: string | null;
  readonly latencyMs: number | null;
  readonly bedrockRequestId: string | null;
  readonly completedAt: Date;
}

/** A ledger row; each status carries exactly the fields that status has. */
export type DescriptionRecord = PendingDescription | SucceededDescription | FailedDescription;

/** What the use case writes before calling the model. */
export interface NewDescription extends InferenceSettings {
  readonly id: string;
  readonly provider: InferenceProvider;
  /** modelId without an inference profile prefix. */
  readonly baseModelId: string;
  readonly estimatedCostUsd: string | null;
  /** The catalog's prices for the id called in the request's tier (null for a model outside the catalog): costs the answer. */
  readonly unitPrices?: UnitPrices | null;
  readonly estimatedInputTokens?: number;
  /** Sum of width × height of the images as sent. */
  readonly imagePixels?: number;
  /** The API key that makes the request (OPEN_MODE_KEY_ID in open mode); its budgets take the reservation. */
  readonly apiKeyId: string;
  readonly clientRequestId: string | undefined;
  readonly requestHash: string;
  readonly images: readonly NewRequestImage[];
  /** Defaults to this server's clock (as Prisma's @default(now()) did); set only when importing or seeding history. */
  readonly createdAt?: Date;
}

/** How a row's attempts add up (see accountAttempts); absent: one answer, usage as given, known. */
export interface AttemptAccounting {
  readonly attempts?: readonly LedgerAttempt[] | undefined;
  /** False when a billed attempt's usage did not arrive; costUsd must then be null. */
  readonly usageKnown?: boolean | undefined;
}

export interface DescriptionSuccess extends AttemptAccounting {
  readonly text: string;
  readonly stopReason: string | undefined;
  /** Summed over the billed attempts, as far as reported. */
  readonly usage: TokenCounts;
  readonly costUsd: string | null;
  readonly latencyMs: number;
  readonly modelLatencyMs: number | undefined;
  readonly bedrockRequestId: string | undefined;
}

export interface DescriptionFailure extends AttemptAccounting {
  /** What billed attempts reported, if any. */
  readonly usage?: TokenCounts | undefined;
  readonly costUsd?: string | null | undefined;
  readonly code: string;
  readonly message: string;
  /** What a stream delivered before it ended. */
  readonly partialText?: string | undefined;
  readonly latencyMs: number | undefined;
  readonly bedrockRequestId: string | undefined;
}
