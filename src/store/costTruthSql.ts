import { Prisma } from '../generated/prisma/client.js';
import type { NewDescription } from './DescriptionRecord.js';

const { sql, raw } = Prisma;

/** The write-ahead row's columns for its tier, tags, unit prices and vision estimates (see costTruthValuesSql). */
export const COST_TRUTH_COLUMNS = raw(
  `"serviceTier", "tags", "inputUsdPerMillion", "outputUsdPerMillion", "cacheReadUsdPerMillion", "cacheWriteUsdPerMillion", "estimatedInputTokens", "imagePixels"`,
);

/** `key=value` tags as the JSON object the column holds (and `tags @> …` filters match). */
export function tagsJson(tags: readonly string[] | undefined): string {
  const entries = (tags ?? []).map((tag) => {
    const at = tag.indexOf('=');
    return [tag.slice(0, at), tag.slice(at + 1)];
  });
  return JSON.stringify(Object.fromEntries(entries));
}

/** The values of COST_TRUTH_COLUMNS for a new row, in that order. */
export function costTruthValuesSql(input: NewDescription): Prisma.Sql {
  const prices = input.unitPrices;
  return sql`${input.serviceTier ?? 'DEFAULT'}::"ServiceTier", ${tagsJson(input.tags)}::jsonb,
    ${prices?.inputUsdPerMillion ?? null}::numeric, ${prices?.outputUsdPerMillion ?? null}::numeric,
    ${prices?.cacheReadUsdPerMillion ?? null}::numeric, ${prices?.cacheWriteUsdPerMillion ?? null}::numeric,
    ${input.estimatedInputTokens ?? null}::int, ${input.imagePixels ?? null}::int`;
}
