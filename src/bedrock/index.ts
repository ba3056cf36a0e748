/**
 * Bedrock behind a small interface. Only this folder imports `@aws-sdk/*`.
 */
export type {
  BedrockApi,
  ImageFormat,
  TokenUsage,
  VisionImage,
  VisionModel,
  VisionRequest,
  VisionResult,
  VisionStreamEvent,
  VisionUsage,
} from './VisionModel.js';
export type { InferenceSettings } from './InferenceSettings.js';
export { createBedrockVisionModel } from './createBedrockVisionModel.js';
export type { BedrockVisionModel, BedrockVisionModelOptions } from './createBedrockVisionModel.js';
export { anthropicMessagesBody } from './anthropicMessagesBody.js';
export type { CatalogModel, ModelLifecycle, ModelProvider } from './catalogModelSchema.js';
export { DEFAULT_MODEL_CATALOG, createModelCatalog, loadModelCatalog } from './modelCatalog.js';
export type { ModelCatalog } from './modelCatalog.js';
export { baseModelId } from './baseModelId.js';
export { isEndOfLife, modelUnavailableMessage } from './modelAvailability.js';
export { costUsd, estimatedCostUsd } from './costUsd.js';
