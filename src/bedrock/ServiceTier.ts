/**
 * Bedrock's on-demand service tiers as the API names them. DEFAULT is Bedrock's Standard tier
 * (and what a request without a tier gets); PRIORITY is served first at a premium; FLEX may wait
 * longer at a discount. Converse takes them as `serviceTier: { type: 'default' | 'priority' | 'flex' }`
 * (`ServiceTierType` in @aws-sdk/client-bedrock-runtime; its fourth value, `reserved`, needs a
 * reservation agreed with AWS and is not offered here).
 */
export const SERVICE_TIERS = ['DEFAULT', 'PRIORITY', 'FLEX'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** The tiers a catalog entry may list besides DEFAULT, which every model has. */
export type OptionalServiceTier = Exclude<ServiceTier, 'DEFAULT'>;
