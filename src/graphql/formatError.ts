import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { errorExtensions, isAppError, type ErrorCode } from '../errors.js';

// Codes Apollo and graphql-js produce themselves for malformed operations; they describe
// the client's own request and are safe to pass through. Each is in the registry (and so in
// the README's table): the type says so.
const CLIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The one mapping from errors to what a client sees. AppError keeps its code (and
 * reason, and the ledger row id); Apollo's own client-error codes pass through;
 * anything else is INTERNAL_SERVER_ERROR with a masked message, logged in full.
 */
export function createFormatError(logger: Logger, options: { hideSchemaDetails?: boolean } = {}) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    if (isAppError(original)) {
      return {
        message: original.message,
        ...(formatted.locations === undefined ? {} : { locations: formatted.locations }),
        ...(formatted.path === undefined ? {} : { path: formatted.path }),
        extensions: errorExtensions(original),
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      return options.hideSchemaDetails === true ? withoutSuggestions(formatted) : formatted;
    }
    logger.error({ err: original }, 'unexpected error in a GraphQL operation');
    return {
      message: 'Internal server error',
      ...(formatted.path === undefined ? {} : { path: formatted.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * graphql-js's "Did you mean …?" hints name fields, arguments and enum values a client did not
 * ask for: with introspection off in production they would map the schema one typo at a time.
 * Apollo's own option strips them from validation errors only; variable coercion errors
 * ("Value "X" does not exist in "DescriptionStatus" enum. Did you mean …") carry them too, and
 * so do errors over WebSocket, so they are stripped here, where every door's errors pass.
 */
function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message.replace(/ ?Did you mean [^?]*\?/g, '');
  return message === formatted.message ? formatted : { ...formatted, message };
}
