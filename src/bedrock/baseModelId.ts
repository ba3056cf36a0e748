import { INFERENCE_PROFILE_PREFIXES, type InferenceProfilePrefix } from './catalogModelSchema.js';

/** Cross-region (system-defined) inference profiles behave as their base model; their prices are the catalog's. */
const PROFILE_PREFIX = new RegExp(`^(${INFERENCE_PROFILE_PREFIXES.join('|')})\\.`);

/**
 * ARNs of a foundation model or a system-defined inference profile carry the model id
 * after the resource type, e.g. `arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0`.
 * Application inference profiles and provisioned models have opaque ids and stay as given.
 */
const MODEL_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(?:foundation-model|inference-profile)\/(.+)$/;

/**
 * The base model id behind a model id, a cross-region inference profile id
 * (`us.anthropic…`) or the ARN of either; anything else is returned unchanged.
 */
export function baseModelId(modelId: string): string {
  const resource = MODEL_ARN.exec(modelId)?.[1] ?? modelId;
  return resource.replace(PROFILE_PREFIX, '');
}

/** The system-defined inference profile prefix of a profile id or its ARN (`global` for `global.anthropic…`). */
export function inferenceProfilePrefix(modelId: string): InferenceProfilePrefix | undefined {
  const resource = MODEL_ARN.exec(modelId)?.[1] ?? modelId;
  return PROFILE_PREFIX.exec(resource)?.[1] as InferenceProfilePrefix | undefined;
}
