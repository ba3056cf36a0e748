/**
 * The describeImage use case; depends on images, bedrock and store, never on GraphQL.
 */
export { createDescribeImage } from './createDescribeImage.js';
export type { DescribeImageDeps, DescribeImageUseCase, DescribeStreamEvent } from './createDescribeImage.js';
export type { DescribeImageCommand } from './DescribeImageCommand.js';
export { DEFAULT_PROMPT, DEFAULT_MAX_TOKENS } from './DescribeImageCommand.js';
