import type { CatalogModel } from './catalogModelSchema.js';

/**
 * Why Bedrock would refuse the request's sampling parameters for this model, or undefined
 * when it takes them. Newer Claude models answer 400 for these before generating anything;
 * saying so first costs nothing and leaves no failed row.
 */
export function unsupportedSamplingMessage(
  model: CatalogModel,
  modelId: string,
  sampling: { readonly temperature?: number | undefined; readonly topP?: number | undefined },
): string | undefined {
  const given = [
    ...(sampling.temperature === undefined ? [] : ['temperature']),
    ...(sampling.topP === undefined ? [] : ['topP']),
  ];
  switch (model.sampling) {
    case 'ANY':
      return undefined;
    case 'ONE_OF':
      return given.length === 2
        ? `${model.name} (${modelId}) takes temperature or topP, not both: leave one of them out`
        : undefined;
    case 'NONE':
      return given.length > 0
        ? `${model.name} (${modelId}) takes neither temperature nor topP (Bedrock refuses them for it): leave out ${given.join(' and ')}`
        : undefined;
    default: {
      const never: never = model.sampling;
      return never;
    }
  }
}
