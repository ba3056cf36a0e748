import type { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import { LRUCache } from 'lru-cache';
import { OPERATION_LIMIT_RULES, parseAndValidate } from './operationLimits.js';

/** Distinct operations remembered; clients send a handful, so this is room to spare. */
const MAX_DOCUMENTS = 1_000;
/** Longer texts are parsed every time rather than held: a cache is not a place to store large inputs. */
const MAX_CACHED_QUERY_CHARS = 64 * 1024;
/**
 * The texts held, in characters, at most: a client sending distinct documents padded with
 * comments (which the token limit does not count) could otherwise make the cache hold
 * 1 000 × 64 K characters. Real operations are a few hundred characters each.
 */
export const MAX_CACHED_CHARS = 8 * 1024 * 1024;

export type ParsedOperation =
  { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: GraphQLError[] };

/**
 * parseAndValidate with memory, for the WebSocket door (Apollo keeps its own document store
 * over HTTP, keyed the same way): clients send the same operation text over and over, and
 * parsing and validating it is most of the GraphQL layer's own cost. Keyed by the exact
 * text, so two documents can never share an entry; only documents that passed validation
 * are kept, so a refusal is always computed afresh.
 */
export function createOperationCache(
  schema: GraphQLSchema,
  rules: readonly ValidationRule[] = OPERATION_LIMIT_RULES,
): (query: string) => ParsedOperation {
  const documents = new LRUCache<string, DocumentNode>({
    max: MAX_DOCUMENTS,
    maxSize: MAX_CACHED_CHARS,
    sizeCalculation: (_document, query) => Math.max(query.length, 1),
  });
  return (query) => {
    const cached = documents.get(query);
    if (cached !== undefined) return { document: cached };
    const parsed = parseAndValidate(schema, query, rules);
    if (parsed.document !== undefined && query.length <= MAX_CACHED_QUERY_CHARS) documents.set(query, parsed.document);
    return parsed;
  };
}
