/**
 * Bedrock vision models this product knows, with on-demand prices in USD per million
 * tokens as decimal strings (never floats: costs are computed exactly from them).
 * A model id outside the catalog still works; its cost is unknown (null).
 */
export interface CatalogModel {
  readonly id: string;
  readonly name: string;
  readonly provider: 'Anthropic' | 'Amazon';
  readonly inputUsdPerMillion: string;
  readonly outputUsdPerMillion: string;
  readonly maxOutputTokens: number;
  /** Whether InvokeModel's Anthropic Messages body (the seed's) applies. */
  readonly anthropicMessagesBody: boolean;
  /** ISO date Bedrock retired the model, if it has. */
  readonly endOfLife?: string;
}

export const MODEL_CATALOG: readonly CatalogModel[] = Object.freeze([
  {
    id: 'anthropic.claude-3-sonnet-20240229-v1:0',
    name: 'Claude 3 Sonnet',
    provider: 'Anthropic',
    inputUsdPerMillion: '3',
    outputUsdPerMillion: '15',
    maxOutputTokens: 4096,
    anthropicMessagesBody: true,
    endOfLife: '2025-07-21',
  },
  {
    id: 'anthropic.claude-3-haiku-20240307-v1:0',
    name: 'Claude 3 Haiku',
    provider: 'Anthropic',
    inputUsdPerMillion: '0.25',
    outputUsdPerMillion: '1.25',
    maxOutputTokens: 4096,
    anthropicMessagesBody: true,
  },
  {
    id: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    name: 'Claude 3.5 Sonnet v2',
    provider: 'Anthropic',
    inputUsdPerMillion: '3',
    outputUsdPerMillion: '15',
    maxOutputTokens: 8192,
    anthropicMessagesBody: true,
  },
  {
    id: 'anthropic.claude-sonnet-4-20250514-v1:0',
    name: 'Claude Sonnet 4',
    provider: 'Anthropic',
    inputUsdPerMillion: '3',
    outputUsdPerMillion: '15',
    maxOutputTokens: 64000,
    anthropicMessagesBody: true,
  },
  {
    id: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    name: 'Claude Sonnet 4.5',
    provider: 'Anthropic',
    inputUsdPerMillion: '3',
    outputUsdPerMillion: '15',
    maxOutputTokens: 64000,
    anthropicMessagesBody: true,
  },
  {
    id: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    name: 'Claude Haiku 4.5',
    provider: 'Anthropic',
    inputUsdPerMillion: '1',
    outputUsdPerMillion: '5',
    maxOutputTokens: 64000,
    anthropicMessagesBody: true,
  },
  {
    id: 'amazon.nova-lite-v1:0',
    name: 'Amazon Nova Lite',
    provider: 'Amazon',
    inputUsdPerMillion: '0.06',
    outputUsdPerMillion: '0.24',
    maxOutputTokens: 10000,
    anthropicMessagesBody: false,
  },
  {
    id: 'amazon.nova-pro-v1:0',
    name: 'Amazon Nova Pro',
    provider: 'Amazon',
    inputUsdPerMillion: '0.8',
    outputUsdPerMillion: '3.2',
    maxOutputTokens: 10000,
    anthropicMessagesBody: false,
  },
]);

/** Cross-region inference profiles (`us.anthropic…`) bill and behave as their base model. */
const PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The base model id of a model or cross-region inference profile id. */
export function baseModelId(modelId: string): string {
  return modelId.replace(PROFILE_PREFIX, '');
}

/** The catalog entry for a model or profile id, or undefined for a model we do not know. */
export function findModel(modelId: string): CatalogModel | undefined {
  const base = baseModelId(modelId);
  return MODEL_CATALOG.find((m) => m.id === base);
}

/** Models to suggest when Bedrock refuses one: everything not retired. */
export function currentVisionModels(): readonly CatalogModel[] {
  return MODEL_CATALOG.filter((m) => m.endOfLife === undefined);
}
