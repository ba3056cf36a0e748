/**
 * The describeImage use case; depends on images, bedrock and store, never on GraphQL.
 */
export { createDescribeImage } from './createDescribeImage.js';
export type { DescribeImageDeps, DescribeImageUseCase, DescribeStreamEvent } from './createDescribeImage.js';
export type { DescribeImageCommand } from './DescribeImageCommand.js';
export { DEFAULT_PROMPT, DEFAULT_MAX_TOKENS } from './DescribeImageCommand.js';
export { checkTags, checkTagKey, MAX_TAGS } from './checkTags.js';
export { createPreviewCost, PREVIEW_INPUT_MARGIN } from './previewCost.js';
export type { CostPreview, PreviewCost, PreviewCostDeps } from './previewCost.js';
export { createEstimateCalibration } from './estimateCalibration.js';
export type { EstimateCalibration, EstimateFactors, FamilyCalibration } from './estimateCalibration.js';
