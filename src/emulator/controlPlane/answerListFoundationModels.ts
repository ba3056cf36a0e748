import { BedrockError } from '../bedrockError.js';
import fixture from './foundationModels.json' with { type: 'json' };

type ModelSummary = (typeof fixture.modelSummaries)[number];

const FILTERS = {
  byProvider: (m: ModelSummary, value: string) => m.providerName.toLowerCase() === value.toLowerCase(),
  byOutputModality: (m: ModelSummary, value: string) => m.outputModalities.includes(value),
  byInferenceType: (m: ModelSummary, value: string) => m.inferenceTypesSupported.includes(value),
  byCustomizationType: (m: ModelSummary, value: string) => (m.customizationsSupported as string[]).includes(value),
} as const;

const ENUMS: Partial<Record<keyof typeof FILTERS, readonly string[]>> = {
  byOutputModality: ['TEXT', 'IMAGE', 'EMBEDDING'],
  byInferenceType: ['ON_DEMAND', 'PROVISIONED'],
  byCustomizationType: ['FINE_TUNING', 'CONTINUED_PRE_TRAINING', 'DISTILLATION'],
};

/**
 * `GET /foundation-models` (ListFoundationModels): the fixture's model summaries, filtered by the query
 * parameters Bedrock takes. The real API does not paginate this list, so neither does the emulator.
 */
export function answerListFoundationModels(query: URLSearchParams): unknown {
  let models = fixture.modelSummaries;
  for (const [name, matches] of Object.entries(FILTERS) as [
    keyof typeof FILTERS,
    (m: ModelSummary, v: string) => boolean,
  ][]) {
    const value = query.get(name);
    if (value === null) continue;
    const allowed = ENUMS[name];
    if (allowed !== undefined && !allowed.includes(value)) {
      throw new BedrockError(
        'ValidationException',
        `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
      );
    }
    models = models.filter((m) => matches(m, value));
  }
  return { modelSummaries: models };
}
