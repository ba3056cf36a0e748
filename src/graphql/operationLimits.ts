import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxBillableCallsRule } from './maxBillableCallsRule.js';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * How large an operation may be, checked before any resolver runs (so before any model call
 * or database read). Generous for every operation this API's clients write — the deepest,
 * history → edges → node → images → original → field, is 6 levels; GraphiQL's introspection
 * query fits in 500 tokens — and small enough that one request cannot ask for a thousand
 * aliased history pages or describe calls, or nest fragments to tire the validator.
 *
 * No static cost limit: graphql-armor's model cannot see `first:` and grows exponentially
 * with depth, so one ordinary 100-row history page with every field already "costs" 47 000.
 * With no cycles in the schema, aliases are what multiply work, and they are capped.
 */
export const OPERATION_LIMITS = {
  /** Lexical tokens in the document (graphql-js stops parsing beyond it). */
  maxTokens: 2_000,
  /** Nesting of selections and inline fragments, introspection excepted. */
  maxDepth: 10,
  /** Aliased fields per operation (`__typename` excepted). */
  maxAliases: 15,
  maxDirectives: 20,
  /**
   * UTF-8 bytes of the document text. The token limit does not bound bytes (a 100 MB document
   * of whitespace has no tokens and was lexed in full); images belong in variables or uploads.
   */
  maxDocumentBytes: 1024 * 1024,
  /** describeImage / describeImageStream fields per operation, in production (see operationRules). */
  maxBillableCalls: 1,
} as const;

export const OPERATION_PARSE_OPTIONS: ParseOptions = { maxTokens: OPERATION_LIMITS.maxTokens };

// Report, don't throw: a thrown error would abort validation as a server error.
const reportOnly = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/** The validation rules that enforce OPERATION_LIMITS, after graphql-js's own. */
export const OPERATION_LIMIT_RULES: readonly ValidationRule[] = [
  maxDepthRule({ n: OPERATION_LIMITS.maxDepth, ...reportOnly }),
  maxAliasesRule({ n: OPERATION_LIMITS.maxAliases, ...reportOnly }),
  maxDirectivesRule({ n: OPERATION_LIMITS.maxDirectives, ...reportOnly }),
];

/** What differs between a development server and one in production (NODE_ENV=production). */
export interface OperationPolicy {
  /**
   * Production: no introspection (Apollo turns it off over HTTP; this turns it off over
   * WebSocket too), and at most one billable call per operation, so a request is a call.
   */
  readonly production: boolean;
}

/** The validation rules beyond graphql-js's own for `policy`: the limits, and production's. */
export function operationRules(policy: OperationPolicy): readonly ValidationRule[] {
  return policy.production
    ? [
        ...OPERATION_LIMIT_RULES,
        maxBillableCallsRule(OPERATION_LIMITS.maxBillableCalls),
        NoSchemaIntrospectionCustomRule,
      ]
    : OPERATION_LIMIT_RULES;
}

/** The refusal of a document over `maxDocumentBytes`, before it is parsed; undefined when it fits. */
export function documentSizeError(query: string): GraphQLError | undefined {
  // Bytes are at least the UTF-16 length / 1 and at most 3 × it: skip the count when it cannot matter.
  if (query.length * 3 <= OPERATION_LIMITS.maxDocumentBytes) return undefined;
  if (Buffer.byteLength(query, 'utf8') <= OPERATION_LIMITS.maxDocumentBytes) return undefined;
  return new GraphQLError(
    `The GraphQL document is larger than ${OPERATION_LIMITS.maxDocumentBytes} bytes; send images as variables or uploads`,
    { extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
  );
}

/**
 * Parses and validates an operation as Apollo Server does over HTTP, for the WebSocket
 * transport: the errors carry the same codes (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED) instead of closing the socket or reaching the client unmarked.
 */
export function parseAndValidate(
  schema: GraphQLSchema,
  query: string,
  rules: readonly ValidationRule[] = OPERATION_LIMIT_RULES,
): { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: GraphQLError[] } {
  const tooLarge = documentSizeError(query);
  if (tooLarge !== undefined) return { errors: [tooLarge] };
  let document: DocumentNode;
  try {
    document = parse(query, OPERATION_PARSE_OPTIONS);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { errors: [withCode(error, 'GRAPHQL_PARSE_FAILED')] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...rules]);
  return errors.length === 0
    ? { document }
    : { errors: errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')) };
}

const withCode = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
