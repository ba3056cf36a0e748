import { badInput } from '../errors.js';
import type { HistoryFilter as GraphQLHistoryFilter } from '../generated/graphql.js';
import { DateTimeScalar, DecimalScalar } from '../graphql/index.js';

type Query = Record<string, string | string[] | undefined>;

const LISTS = ['status', 'modelId', 'api'] as const;
const INTS = [
  'minInputTokens',
  'maxInputTokens',
  'minOutputTokens',
  'maxOutputTokens',
  'minTotalTokens',
  'maxTotalTokens',
  'minLatencyMs',
  'maxLatencyMs',
] as const;
const STRINGS = ['search', 'errorCode', 'imageSha256', 'clientRequestId'] as const;
const KNOWN = new Set<string>([
  ...LISTS,
  ...INTS,
  ...STRINGS,
  'createdAfter',
  'createdBefore',
  'minCostUsd',
  'maxCostUsd',
]);

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.at(-1) : value);

/**
 * Export query parameters, named like HistoryFilter's fields (`?status=FAILED&modelId=a,b&search=x`),
 * as the GraphQL filter input, so both doors share one validation.
 */
export function parseExportQuery(query: Query): GraphQLHistoryFilter {
  for (const name of Object.keys(query)) {
    if (!KNOWN.has(name)) throw badInput('FILTER_INVALID', `Unknown filter parameter ${name}`);
  }
  const filter: Record<string, unknown> = {};
  for (const name of LISTS) {
    const raw = query[name];
    if (raw === undefined) continue;
    filter[name] = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).filter((v) => v !== '');
  }
  for (const name of INTS) {
    const raw = one(query[name]);
    if (raw === undefined) continue;
    if (!/^-?\d+$/.test(raw)) throw badInput('FILTER_INVALID', `${name} must be an integer`);
    filter[name] = Number(raw);
  }
  for (const name of STRINGS) {
    const raw = one(query[name]);
    if (raw !== undefined) filter[name] = raw;
  }
  for (const name of ['createdAfter', 'createdBefore'] as const) {
    const raw = one(query[name]);
    if (raw !== undefined) filter[name] = DateTimeScalar.parseValue(raw);
  }
  for (const name of ['minCostUsd', 'maxCostUsd'] as const) {
    const raw = one(query[name]);
    if (raw !== undefined) filter[name] = DecimalScalar.parseValue(raw);
  }
  const statuses = (filter.status as string[] | undefined) ?? [];
  if (statuses.some((s) => !['PENDING', 'SUCCEEDED', 'FAILED'].includes(s))) {
    throw badInput('FILTER_INVALID', 'status must be PENDING, SUCCEEDED or FAILED');
  }
  const apis = (filter.api as string[] | undefined) ?? [];
  if (apis.some((a) => !['CONVERSE', 'INVOKE_MODEL'].includes(a))) {
    throw badInput('FILTER_INVALID', 'api must be CONVERSE or INVOKE_MODEL');
  }
  return filter as GraphQLHistoryFilter;
}
