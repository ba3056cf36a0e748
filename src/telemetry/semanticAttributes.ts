/**
 * OpenTelemetry attribute names this server writes. The GenAI, GraphQL and AWS ones are still
 * "incubating" in the semantic conventions, and OpenTelemetry asks users to copy incubating names
 * rather than import them, since they may change between releases of the package
 * (@opentelemetry/semantic-conventions 1.45 at the time of writing).
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestStream: 'gen_ai.request.stream',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
} as const;

/** `gen_ai.provider.name` for Amazon Bedrock, and the operation a Converse/InvokeModel call is. */
export const AWS_BEDROCK = 'aws.bedrock';
export const CHAT = 'chat';

export const AWS_REQUEST_ID = 'aws.request_id';
export const ERROR_TYPE = 'error.type';
export const GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
export const GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
export const DB_OPERATION_NAME = 'db.operation.name';
export const DB_SYSTEM_NAME = 'db.system.name';
