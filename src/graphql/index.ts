/**
 * The GraphQL layer: schema loading, thin resolvers, and the one error mapping.
 */
export { resolvers } from './resolvers.js';
export { createFormatError } from './formatError.js';
export { createOperationCache } from './createOperationCache.js';
export { requestErrors } from './requestErrors.js';
export { retryableRefusalPlugin } from './retryableRefusalPlugin.js';
export { legacyJsonStatusPlugin } from './legacyJsonStatusPlugin.js';
export { loadTypeDefs } from './loadTypeDefs.js';
export type { GraphQLContext } from './GraphQLContext.js';
export { DateTimeScalar, DecimalScalar } from './scalars.js';
export {
  OPERATION_LIMITS,
  OPERATION_LIMIT_RULES,
  OPERATION_PARSE_OPTIONS,
  documentSizeError,
  operationRules,
  parseAndValidate,
  type OperationPolicy,
} from './operationLimits.js';
