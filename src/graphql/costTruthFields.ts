import type { DescriptionResolvers } from '../generated/graphql.js';

/** Description's tier, tags and vision fields: the record leaves DEFAULT and "no tags" absent. */
export const COST_TRUTH_FIELDS = {
  serviceTier: (d) => d.serviceTier ?? 'DEFAULT',
  tags: (d) => [...(d.tags ?? [])],
  megapixels: (d) => (d.imagePixels === null ? null : d.imagePixels / 1e6),
} satisfies DescriptionResolvers;
