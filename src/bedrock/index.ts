/**
 * Bedrock behind a small interface. Only this folder imports `@aws-sdk/*`.
 */
export type {
  BedrockApi,
  ImageFormat,
  InferenceProvider,
  TokenUsage,
  VisionImage,
  VisionModel,
  VisionRequest,
  VisionResult,
  VisionStreamEvent,
  VisionUsage,
} from './VisionModel.js';
export type { InferenceSettings } from './InferenceSettings.js';
export type { AttemptLog, AttemptOutcome, ModelAttempt, TokenCounts } from './ModelAttempt.js';
export { completeUsage, createAttemptLog, isCompleteUsage } from './ModelAttempt.js';
export { createBedrockVisionModel } from './createBedrockVisionModel.js';
export { chooseBedrockMode } from './chooseBedrockMode.js';
export type { BedrockChoice, BedrockMode, BedrockModeInput } from './chooseBedrockMode.js';
export type { BedrockVisionModel, BedrockVisionModelOptions, CredentialLookup } from './createBedrockVisionModel.js';
export { anthropicMessagesBody } from './anthropicMessagesBody.js';
export type {
  CatalogModel,
  InferenceProfilePrefix,
  InferenceProfilePrices,
  ModelLifecycle,
  ModelProvider,
  ModelSampling,
  ServiceTierPrices,
} from './catalogModelSchema.js';
export { CATALOG_FACT_FIELDS, INFERENCE_PROFILE_PREFIXES } from './catalogModelSchema.js';
export { DEFAULT_MODEL_CATALOG, createModelCatalog, loadModelCatalog } from './modelCatalog.js';
export type { ModelCatalog } from './modelCatalog.js';
export { baseModelId, inferenceProfilePrefix } from './baseModelId.js';
export { modelFamily } from './modelFamily.js';
export {
  currentSuccessor,
  endOfLifeDefaultModelNotice,
  isEndOfLife,
  modelUnavailableMessage,
} from './modelAvailability.js';
export { unsupportedSamplingMessage } from './unsupportedSamplingMessage.js';
export { costUsd, estimatedCostUsd, sumUsd } from './costUsd.js';
export { unitPricesFor, type UnitPrices } from './unitPrices.js';
export { SERVICE_TIERS, type OptionalServiceTier, type ServiceTier } from './ServiceTier.js';
export { tagsAsMetadata } from './converseInput.js';
export { PRICE_LIST_SERVICE_CODES, readCatalogSources } from './readCatalogSources.js';
export type { CatalogSources, CatalogSourcesOptions, PriceListServiceCode } from './readCatalogSources.js';
