import type { InferenceSettings, VisionUsage } from '../bedrock/index.js';

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

/** What every row has, whatever its status: the request's settings as it was asked, and its images. */
interface DescriptionCommon extends InferenceSettings {
  readonly id: string;
  /** Upper bound computed before the call; null when the model is not in the catalog. */
  readonly estimatedCostUsd: string | null;
  readonly clientRequestId?: string | undefined;
  readonly requestHash: string;
  readonly createdAt: Date;
  /** In the order they were sent to the model. */
  readonly images: readonly RequestImageRecord[];
}

export interface PendingDescription extends DescriptionCommon {
  readonly status: 'PENDING';
}

export interface SucceededDescription extends DescriptionCommon {
  readonly status: 'SUCCEEDED';
  readonly text: string;
  readonly stopReason: string | null;
  readonly usage: VisionUsage;
  /** Exact decimal string; null when the model is not in the catalog. */
  readonly costUsd: string | null;
  readonly latencyMs: number;
  readonly modelLatencyMs: number | null;
  readonly bedrockRequestId: string | null;
  readonly completedAt: Date;
}

export interface FailedDescription extends DescriptionCommon {
  readonly status: 'FAILED';
  readonly error: { readonly code: string; readonly message: string };
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
  /** modelId without an inference profile prefix. */
  readonly baseModelId: string;
  readonly estimatedCostUsd: string | null;
  readonly clientRequestId: string | undefined;
  readonly requestHash: string;
  readonly images: readonly NewRequestImage[];
  /** Defaults to this server's clock (as Prisma's @default(now()) did); set only when importing or seeding history. */
  readonly createdAt?: Date;
}

export interface DescriptionSuccess {
  readonly text: string;
  readonly stopReason: string | undefined;
  readonly usage: VisionUsage;
  readonly costUsd: string | null;
  readonly latencyMs: number;
  readonly modelLatencyMs: number | undefined;
  readonly bedrockRequestId: string | undefined;
}

export interface DescriptionFailure {
  readonly code: string;
  readonly message: string;
  /** What a stream delivered before it ended. */
  readonly partialText?: string | undefined;
  readonly latencyMs: number | undefined;
  readonly bedrockRequestId: string | undefined;
}
