import type { DescriptionImage, DescriptionRequest, Image } from '../generated/prisma/client.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import { costTruthFields, type CostTruthRow } from './costTruthRecord.js';
import { ledgerAttempts, rowUsage, type AttemptRow } from './attemptRecord.js';

/** One image of a request: how it was sent, and the stored image it became. */
export type ImageLinkRow = Pick<
  DescriptionImage,
  'source' | 'originalMediaType' | 'originalWidth' | 'originalHeight' | 'originalByteSize'
> & { readonly image: Pick<Image, 'sha256' | 'mediaType' | 'byteSize' | 'width' | 'height'> };

/** A request with its images in the order sent, as ledgerRowsSql reads it: decimals as exact text. */
export type DescriptionRow = Omit<
  DescriptionRequest,
  'baseModelId' | 'costUsd' | 'estimatedCostUsd' | 'reservedUsd' | keyof CostTruthRow | keyof AttemptRow
> &
  CostTruthRow &
  AttemptRow & {
    readonly costUsd: string | null;
    readonly estimatedCostUsd: string | null;
    readonly images: readonly ImageLinkRow[];
  };

/** A NULL column is an absent optional setting, as InferenceSettings has it. */
function absentIfNull<K extends string, T>(key: K, value: T | null): { [P in K]?: T } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: T };
}

function required<T>(value: T | null, field: string, id: string): T {
  if (value === null) throw new Error(`Ledger row ${id} is missing ${field} for its status`);
  return value;
}

/**
 * Turns a database row into the status-tagged record the rest of the app uses. A
 * SUCCEEDED row without text is a corrupt ledger, and is reported as such rather than
 * shown with holes; one without usage is an answer Bedrock sent without it (usageKnown).
 */
export function toDescriptionRecord(row: DescriptionRow): DescriptionRecord {
  const common = {
    id: row.id,
    modelId: row.modelId,
    api: row.api,
    provider: row.provider,
    prompt: row.prompt,
    ...absentIfNull('system', row.systemPrompt),
    maxTokens: row.maxTokens,
    ...absentIfNull('temperature', row.temperature),
    ...absentIfNull('topP', row.topP),
    // Rows written before stop sequences were recorded hold NULL.
    stopSequences: row.stopSequences ?? [],
    estimatedCostUsd: row.estimatedCostUsd,
    ...costTruthFields(row),
    apiKeyId: row.apiKeyId,
    ...absentIfNull('clientRequestId', row.clientRequestId),
    requestHash: row.requestHash,
    createdAt: row.createdAt,
    images: row.images.map((link) => ({
      sha256: link.image.sha256,
      mediaType: link.image.mediaType,
      byteSize: link.image.byteSize,
      width: link.image.width,
      height: link.image.height,
      source: link.source,
      // Rows from before normalisation was recorded: the image was sent as received.
      original: {
        mediaType: link.originalMediaType ?? link.image.mediaType,
        width: link.originalWidth ?? link.image.width,
        height: link.originalHeight ?? link.image.height,
        byteSize: link.originalByteSize ?? link.image.byteSize,
      },
    })),
    attempts: ledgerAttempts(row),
    run: row.run,
  };
  switch (row.status) {
    case 'PENDING':
      return { ...common, status: 'PENDING' };
    case 'SUCCEEDED':
      return {
        ...common,
        status: 'SUCCEEDED',
        text: required(row.text, 'text', row.id),
        stopReason: row.stopReason,
        // Null only when Bedrock did not report it, which usageKnown = false says.
        usage: rowUsage(row),
        costUsd: row.costUsd,
        usageKnown: row.usageKnown,
        cachedFromId: row.cachedFromId,
        savedUsd: row.savedUsd,
        latencyMs: required(row.latencyMs, 'latencyMs', row.id),
        modelLatencyMs: row.modelLatencyMs,
        bedrockRequestId: row.bedrockRequestId,
        completedAt: required(row.completedAt, 'completedAt', row.id),
      };
    case 'FAILED':
      return {
        ...common,
        status: 'FAILED',
        error: {
          code: required(row.errorCode, 'errorCode', row.id),
          message: required(row.errorMessage, 'errorMessage', row.id),
        },
        usage: rowUsage(row),
        costUsd: row.costUsd,
        usageKnown: row.usageKnown,
        partialText: row.text,
        latencyMs: row.latencyMs,
        bedrockRequestId: row.bedrockRequestId,
        completedAt: required(row.completedAt, 'completedAt', row.id),
      };
    default: {
      const unreachable: never = row.status;
      throw new Error(`Unknown status ${String(unreachable)}`);
    }
  }
}
