import { getOperationAST, getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { AppError } from '../errors.js';

/**
 * What is wrong with a request for a parsed, valid document before anything runs: the operation it
 * names is not in the document (or it names none of several), or its variables do not coerce. The
 * errors carry the codes Apollo gives over HTTP (`OPERATION_RESOLUTION_FAILURE`, `BAD_USER_INPUT`);
 * graphql-js's and graphql-ws's own carry none, which a client would see as INTERNAL_SERVER_ERROR.
 * Undefined when the request can run.
 */
export function requestErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): readonly GraphQLError[] | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation === null || operation === undefined) {
    const refusal = new AppError(
      'OPERATION_RESOLUTION_FAILURE',
      typeof operationName === 'string'
        ? `Unknown operation named "${operationName}".`
        : 'Must provide operation name if query contains multiple operations.',
    );
    return [new GraphQLError(refusal.message, { originalError: refusal })];
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
  return coerced.errors?.map(
    (error) =>
      new GraphQLError(error.message, {
        nodes: error.nodes,
        originalError: error.originalError,
        extensions: { code: 'BAD_USER_INPUT' },
      }),
  );
}
