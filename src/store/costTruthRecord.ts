import { Prisma } from '../generated/prisma/client.js';
import type { UnitPrices } from '../bedrock/index.js';
import type { DescriptionRecord } from './DescriptionRecord.js';

/** The ledger columns of a row's tier, tags, unit prices and vision estimates, prices as exact text. */
export const COST_TRUTH_RECORD_COLUMNS = Prisma.sql`d."serviceTier", d."tags",
  trim_scale(d."inputUsdPerMillion")::text AS "inputUsdPerMillion", trim_scale(d."outputUsdPerMillion")::text AS "outputUsdPerMillion",
  trim_scale(d."cacheReadUsdPerMillion")::text AS "cacheReadUsdPerMillion",
  trim_scale(d."cacheWriteUsdPerMillion")::text AS "cacheWriteUsdPerMillion",
  d."estimatedInputTokens", d."imagePixels"`;

/** Those columns as the drivers return them. */
export interface CostTruthRow {
  readonly serviceTier: 'DEFAULT' | 'PRIORITY' | 'FLEX';
  /** The JSON object of key/value tags (both drivers decode jsonb). */
  readonly tags: unknown;
  readonly inputUsdPerMillion: string | null;
  readonly outputUsdPerMillion: string | null;
  readonly cacheReadUsdPerMillion: string | null;
  readonly cacheWriteUsdPerMillion: string | null;
  readonly estimatedInputTokens: number | null;
  readonly imagePixels: number | null;
}

type CostTruthFields = Pick<
  DescriptionRecord,
  'serviceTier' | 'tags' | 'unitPrices' | 'estimatedInputTokens' | 'imagePixels'
>;

/** The record's fields for those columns: DEFAULT and no tags are absent, as a new request has them. */
export function costTruthFields(row: CostTruthRow): CostTruthFields {
  const tags =
    typeof row.tags === 'object' && row.tags !== null
      ? Object.entries(row.tags as Record<string, unknown>)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, value]) => `${key}=${String(value)}`)
      : [];
  const unitPrices: UnitPrices | null =
    row.inputUsdPerMillion === null || row.outputUsdPerMillion === null
      ? null
      : {
          inputUsdPerMillion: row.inputUsdPerMillion,
          outputUsdPerMillion: row.outputUsdPerMillion,
          cacheReadUsdPerMillion: row.cacheReadUsdPerMillion ?? undefined,
          cacheWriteUsdPerMillion: row.cacheWriteUsdPerMillion ?? undefined,
        };
  return {
    ...(row.serviceTier === 'DEFAULT' ? {} : { serviceTier: row.serviceTier }),
    ...(tags.length === 0 ? {} : { tags }),
    unitPrices,
    estimatedInputTokens: row.estimatedInputTokens,
    imagePixels: row.imagePixels,
  };
}
