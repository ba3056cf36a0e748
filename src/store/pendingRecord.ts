import type { NewDescription, PendingDescription } from './DescriptionRecord.js';
import { requestImageRecord } from './requestImageRecord.js';

/**
 * The PENDING record the write-ahead statement wrote, built from what was written rather than
 * read back: the same fields, in the same shape, as toDescriptionRecord gives for the row.
 */
export function pendingRecord(
  // baseModelId is a column for filtering, not part of the record; createdAt is the one written.
  {
    baseModelId: _baseModelId,
    images,
    createdAt: _createdAt,
    clientRequestId,
    unitPrices,
    estimatedInputTokens,
    imagePixels,
    ...settings
  }: NewDescription,
  createdAt: Date,
  estimatedCostUsd: string | null,
): PendingDescription {
  return {
    ...settings,
    ...(clientRequestId === undefined ? {} : { clientRequestId }),
    estimatedCostUsd,
    unitPrices: unitPrices ?? null,
    estimatedInputTokens: estimatedInputTokens ?? null,
    imagePixels: imagePixels ?? null,
    createdAt,
    status: 'PENDING',
    attempts: [],
    run: 1,
    images: images.map(requestImageRecord),
  };
}
