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
} from './VisionModel.js';
export { createBedrockVisionModel } from './createBedrockVisionModel.js';
export type { BedrockVisionModel, BedrockVisionModelOptions } from './createBedrockVisionModel.js';
export { anthropicMessagesBody } from './anthropicMessagesBody.js';
export { MODEL_CATALOG, baseModelId, findModel, currentVisionModels } from './modelCatalog.js';
export type { CatalogModel } from './modelCatalog.js';
export { costUsd } from './costUsd.js';
