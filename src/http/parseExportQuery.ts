import {
  coerceInputValue,
  getNamedType,
  GraphQLBoolean,
  GraphQLInt,
  GraphQLFloat,
  isListType,
  isNonNullType,
  type GraphQLInputObjectType,
  type GraphQLInputType,
} from 'graphql';
import { badInput } from '../errors.js';
import type { HistoryFilterInput } from '../history/index.js';

type Query = Record<string, string | string[] | undefined>;

const one = (value: string | string[]): string => (Array.isArray(value) ? value.at(-1)! : value);

/** A query parameter's text as the JSON value a GraphQL variable of `type` would carry. */
function variableValue(raw: string | string[], type: GraphQLInputType): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    // Lists come as repeated parameters, comma-separated values, or both: ?status=A,B&status=C.
    const items = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).filter((v) => v !== '');
    return items.map((item) => variableValue(item, inner.ofType));
  }
  const text = one(raw);
  const named = getNamedType(inner);
  // Numbers are numbers in JSON; anything else that is not one is left for coercion to refuse.
  if ((named === GraphQLInt || named === GraphQLFloat) && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  // And booleans are booleans (?usageKnown=false).
  if (named === GraphQLBoolean && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/**
 * Export query parameters, named like the schema's HistoryFilter fields
 * (`?status=FAILED&modelId=a,b&search=x`), coerced by graphql-js exactly as a `filter`
 * variable is over GraphQL: the schema is the one list of parameters, types and enum
 * values, so every filter the API gains, the export has too. Any problem is FILTER_INVALID.
 * The result is checked by history/toHistoryFilter, as a GraphQL filter is.
 */
export function parseExportQuery(query: Query, filterType: GraphQLInputObjectType): HistoryFilterInput {
  const fields = filterType.getFields();
  const value: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    const field = fields[name];
    if (field === undefined) throw badInput('FILTER_INVALID', `Unknown filter parameter ${name}`);
    if (raw !== undefined) value[name] = variableValue(raw, field.type);
  }
  return coerceInputValue(value, filterType, (path, _invalid, error) => {
    const where = path.length > 0 ? `${String(path[0])}: ` : '';
    throw badInput('FILTER_INVALID', `${where}${error.message}`);
  }) as HistoryFilterInput;
}
