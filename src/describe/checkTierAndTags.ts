import type { CatalogModel, OptionalServiceTier } from '../bedrock/index.js';
import { badInput } from '../errors.js';
import { checkTags } from './checkTags.js';
import type { DescribeImageCommand } from './DescribeImageCommand.js';

/**
 * The request's service tier and tags as InferenceSettings carries them: DEFAULT and an empty
 * list become absent. A tier the catalog does not list for a known model is refused before any
 * call (Bedrock would refuse it, or serve and bill it in a way the ledger could not price); for a
 * model outside the catalog Bedrock alone decides.
 */
export function checkTierAndTags(
  command: Pick<DescribeImageCommand, 'serviceTier' | 'tags'>,
  model: CatalogModel | undefined,
  modelId: string,
): { serviceTier: OptionalServiceTier | undefined; tags: readonly string[] | undefined } {
  const serviceTier = command.serviceTier === 'DEFAULT' ? undefined : command.serviceTier;
  if (serviceTier !== undefined && model !== undefined && !model.serviceTiers.some((t) => t.tier === serviceTier)) {
    const offered = model.serviceTiers.map((t) => t.tier);
    throw badInput(
      'SERVICE_TIER_UNSUPPORTED',
      `${modelId} is not served in the ${serviceTier} tier (it offers DEFAULT${offered.map((t) => `, ${t}`).join('')})`,
    );
  }
  const tags = command.tags === undefined ? undefined : checkTags(command.tags, 'TAGS_INVALID');
  return { serviceTier, tags: tags === undefined || tags.length === 0 ? undefined : tags };
}
